package io.cairn.nativeio.windows;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * VSS_SNAPSHOT_PROP, x64 (windows-hyperv.md 2.4, [mingw-check]): size 128, align 8. VssLayoutsTest asserts every
 * offset against the document.
 *
 * <pre>
 *   0 m_SnapshotId (GUID)            16 m_SnapshotSetId (GUID)      32 m_lSnapshotsCount (+4 pad)
 *  40 m_pwszSnapshotDeviceObject     48 m_pwszOriginalVolumeName    56 m_pwszOriginatingMachine
 *  64 m_pwszServiceMachine           72 m_pwszExposedName           80 m_pwszExposedPath
 *  88 m_ProviderId (GUID)           104 m_lSnapshotAttributes (+4) 112 m_tsCreationTimestamp
 * 120 m_eStatus (+4 pad)
 * </pre>
 */
public final class VssLayouts {
    /** VSS_SNAPSHOT_PROP: size 128, align 8. */
    public static final StructLayout VSS_SNAPSHOT_PROP = MemoryLayout.structLayout(
        Guids.LAYOUT.withName("m_SnapshotId"),
        Guids.LAYOUT.withName("m_SnapshotSetId"),
        JAVA_INT.withName("m_lSnapshotsCount"),
        MemoryLayout.paddingLayout(4),
        ADDRESS.withName("m_pwszSnapshotDeviceObject"),
        ADDRESS.withName("m_pwszOriginalVolumeName"),
        ADDRESS.withName("m_pwszOriginatingMachine"),
        ADDRESS.withName("m_pwszServiceMachine"),
        ADDRESS.withName("m_pwszExposedName"),
        ADDRESS.withName("m_pwszExposedPath"),
        Guids.LAYOUT.withName("m_ProviderId"),
        JAVA_INT.withName("m_lSnapshotAttributes"),
        MemoryLayout.paddingLayout(4),
        JAVA_LONG.withName("m_tsCreationTimestamp"),
        JAVA_INT.withName("m_eStatus"),
        MemoryLayout.paddingLayout(4)).withName("VSS_SNAPSHOT_PROP");

    private VssLayouts() {
    }
}
