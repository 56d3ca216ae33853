package io.cairn.nativeio.windows;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.UUID;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * The fields of a VSS_SNAPSHOT_PROP that a backup uses, copied out of native memory so that the struct can be freed
 * with {@code VssFreeSnapshotPropertiesInternal} right away.
 *
 * @param snapshotId           m_SnapshotId
 * @param snapshotSetId        m_SnapshotSetId
 * @param snapshotsCount       m_lSnapshotsCount
 * @param snapshotDeviceObject m_pwszSnapshotDeviceObject, e.g. {@code \\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy3}
 * @param originalVolumeName   m_pwszOriginalVolumeName, e.g. {@code \\?\Volume{...}\}; null if absent
 * @param providerId           m_ProviderId
 * @param attributes           m_lSnapshotAttributes (VSS_VOLSNAP_ATTR_* bits)
 * @param creationTimestamp    m_tsCreationTimestamp (FILETIME units)
 * @param status               m_eStatus (VSS_SNAPSHOT_STATE; 12 = created)
 */
public record VssSnapshotProperties(UUID snapshotId, UUID snapshotSetId, int snapshotsCount,
                                    String snapshotDeviceObject, String originalVolumeName, UUID providerId,
                                    int attributes, long creationTimestamp, int status) {
    /** Longest string read from the struct, in characters (volume GUID paths and device names are far shorter). */
    static final int MAX_STRING_CHARS = 32 * 1024;

    private static final long SNAPSHOT_ID = offset("m_SnapshotId");
    private static final long SNAPSHOT_SET_ID = offset("m_SnapshotSetId");
    private static final long PROVIDER_ID = offset("m_ProviderId");
    private static final VarHandle COUNT = handle("m_lSnapshotsCount");
    private static final VarHandle DEVICE_OBJECT = handle("m_pwszSnapshotDeviceObject");
    private static final VarHandle ORIGINAL_VOLUME = handle("m_pwszOriginalVolumeName");
    private static final VarHandle ATTRIBUTES = handle("m_lSnapshotAttributes");
    private static final VarHandle TIMESTAMP = handle("m_tsCreationTimestamp");
    private static final VarHandle STATUS = handle("m_eStatus");

    /** Copies the fields out of a VSS_SNAPSHOT_PROP filled by GetSnapshotProperties. */
    public static VssSnapshotProperties decode(final MemorySegment prop) {
        final String device = WideStrings.readPointer((MemorySegment) DEVICE_OBJECT.get(prop, 0L), MAX_STRING_CHARS);
        if (device == null || device.isEmpty()) {
            throw new IllegalArgumentException("VSS_SNAPSHOT_PROP has no snapshot device object");
        }
        return new VssSnapshotProperties(Guids.read(prop, SNAPSHOT_ID), Guids.read(prop, SNAPSHOT_SET_ID),
            (int) COUNT.get(prop, 0L), device,
            WideStrings.readPointer((MemorySegment) ORIGINAL_VOLUME.get(prop, 0L), MAX_STRING_CHARS),
            Guids.read(prop, PROVIDER_ID), (int) ATTRIBUTES.get(prop, 0L), (long) TIMESTAMP.get(prop, 0L),
            (int) STATUS.get(prop, 0L));
    }

    private static long offset(final String field) {
        return VssLayouts.VSS_SNAPSHOT_PROP.byteOffset(groupElement(field));
    }

    private static VarHandle handle(final String field) {
        return VssLayouts.VSS_SNAPSHOT_PROP.varHandle(groupElement(field));
    }
}
