package io.cairn.nativeio.windows;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * x64 struct layouts of virtdisk.dll and kernel32.dll (windows-hyperv.md sections 1.3 and 3, [mingw-check]),
 * with explicit padding and named fields; VirtDiskLayoutsTest asserts every size and offset against the document.
 *
 * <pre>
 * VIRTUAL_STORAGE_TYPE (20)        DeviceId@0 VendorId@4
 * OPEN_VIRTUAL_DISK_PARAMETERS (44) Version@0 | V1 RWDepth@4 | V2/V3 GetInfoOnly@4 ReadOnly@8 ResiliencyGuid@12
 *                                   | V3 SnapshotId@28
 * GET_VIRTUAL_DISK_INFO (32)       Version@0 pad@4 union@8: Size{VirtualSize@8 PhysicalSize@16 BlockSize@24
 *                                   SectorSize@28} | ChangeTrackingState{Enabled@8 NewerChanges@12 MostRecentId@16}
 *                                   | VirtualDiskId@8 | ...
 * QUERY_CHANGES_VIRTUAL_DISK_RANGE (24) ByteOffset@0 ByteLength@8 Reserved@16
 * ATTACH_VIRTUAL_DISK_PARAMETERS (24)  Version@0 pad@4 union@8: V1 Reserved@8 | V2 RestrictedOffset@8 RestrictedLength@16
 * OVERLAPPED (32)                  Internal@0 InternalHigh@8 Offset@16 OffsetHigh@20 hEvent@24
 * </pre>
 * VarHandles take {@code (MemorySegment, long baseOffset)} and are created once here.
 */
public final class VirtDiskLayouts {
    /** VIRTUAL_STORAGE_TYPE: size 20, align 4. */
    public static final StructLayout VIRTUAL_STORAGE_TYPE = MemoryLayout.structLayout(
        JAVA_INT.withName("DeviceId"),
        Guids.LAYOUT.withName("VendorId")).withName("VIRTUAL_STORAGE_TYPE");

    /** OPEN_VIRTUAL_DISK_PARAMETERS with the SDK's V3 arm: size 44, align 4. */
    public static final StructLayout OPEN_VIRTUAL_DISK_PARAMETERS = MemoryLayout.structLayout(
        JAVA_INT.withName("Version"),
        MemoryLayout.unionLayout(
            MemoryLayout.structLayout(JAVA_INT.withName("RWDepth")).withName("Version1"),
            MemoryLayout.structLayout(
                JAVA_INT.withName("GetInfoOnly"),
                JAVA_INT.withName("ReadOnly"),
                Guids.LAYOUT.withName("ResiliencyGuid")).withName("Version2"),
            MemoryLayout.structLayout(
                JAVA_INT.withName("GetInfoOnly"),
                JAVA_INT.withName("ReadOnly"),
                Guids.LAYOUT.withName("ResiliencyGuid"),
                Guids.LAYOUT.withName("SnapshotId")).withName("Version3")).withName("u"))
        .withName("OPEN_VIRTUAL_DISK_PARAMETERS");

    /** GET_VIRTUAL_DISK_INFO's union (the arms the bindings use, and the GUID and ULONG arms): size 24, align 8. */
    private static final UnionLayout GET_INFO_UNION = MemoryLayout.unionLayout(
        MemoryLayout.structLayout(
            JAVA_LONG.withName("VirtualSize"),
            JAVA_LONG.withName("PhysicalSize"),
            JAVA_INT.withName("BlockSize"),
            JAVA_INT.withName("SectorSize")).withName("Size"),
        Guids.LAYOUT.withName("Identifier"),
        Guids.LAYOUT.withName("VirtualDiskId"),
        JAVA_INT.withName("ProviderSubtype"),
        JAVA_LONG.withName("SmallestSafeVirtualSize"),
        MemoryLayout.structLayout(
            JAVA_INT.withName("LogicalSectorSize"),
            JAVA_INT.withName("PhysicalSectorSize"),
            JAVA_INT.withName("IsRemote")).withName("PhysicalDisk"),
        MemoryLayout.structLayout(
            JAVA_INT.withName("Enabled"),
            JAVA_INT.withName("NewerChanges"),
            MemoryLayout.sequenceLayout(1, JAVA_CHAR).withName("MostRecentId"),
            MemoryLayout.paddingLayout(2)).withName("ChangeTrackingState")).withName("u");

    /** GET_VIRTUAL_DISK_INFO: size 32, align 8, union at 8. */
    public static final StructLayout GET_VIRTUAL_DISK_INFO = MemoryLayout.structLayout(
        JAVA_INT.withName("Version"),
        MemoryLayout.paddingLayout(4),
        GET_INFO_UNION).withName("GET_VIRTUAL_DISK_INFO");

    /** QUERY_CHANGES_VIRTUAL_DISK_RANGE: size 24, align 8. */
    public static final StructLayout QUERY_CHANGES_VIRTUAL_DISK_RANGE = MemoryLayout.structLayout(
        JAVA_LONG.withName("ByteOffset"),
        JAVA_LONG.withName("ByteLength"),
        JAVA_LONG.withName("Reserved")).withName("QUERY_CHANGES_VIRTUAL_DISK_RANGE");

    /** ATTACH_VIRTUAL_DISK_PARAMETERS with the SDK's V2 arm: size 24, align 8, union at 8. */
    public static final StructLayout ATTACH_VIRTUAL_DISK_PARAMETERS = MemoryLayout.structLayout(
        JAVA_INT.withName("Version"),
        MemoryLayout.paddingLayout(4),
        MemoryLayout.unionLayout(
            MemoryLayout.structLayout(JAVA_INT.withName("Reserved"), MemoryLayout.paddingLayout(4))
                .withName("Version1"),
            MemoryLayout.structLayout(
                JAVA_LONG.withName("RestrictedOffset"),
                JAVA_LONG.withName("RestrictedLength")).withName("Version2")).withName("u"))
        .withName("ATTACH_VIRTUAL_DISK_PARAMETERS");

    /** OVERLAPPED: size 32, align 8. */
    public static final StructLayout OVERLAPPED = MemoryLayout.structLayout(
        JAVA_LONG.withName("Internal"),
        JAVA_LONG.withName("InternalHigh"),
        JAVA_INT.withName("Offset"),
        JAVA_INT.withName("OffsetHigh"),
        ADDRESS.withName("hEvent")).withName("OVERLAPPED");

    /** Offset of {@code ChangeTrackingState.MostRecentId} (a NUL-terminated WCHAR string running past the struct). */
    public static final long CHANGE_TRACKING_MOST_RECENT_ID_OFFSET = GET_VIRTUAL_DISK_INFO.byteOffset(
        groupElement("u"), groupElement("ChangeTrackingState"), groupElement("MostRecentId"));

    /** Offset of the {@code VirtualDiskId} GUID arm. */
    public static final long VIRTUAL_DISK_ID_OFFSET = GET_VIRTUAL_DISK_INFO.byteOffset(
        groupElement("u"), groupElement("VirtualDiskId"));

    static final VarHandle STORAGE_TYPE_DEVICE_ID = VIRTUAL_STORAGE_TYPE.varHandle(groupElement("DeviceId"));
    static final VarHandle OPEN_VERSION = OPEN_VIRTUAL_DISK_PARAMETERS.varHandle(groupElement("Version"));
    static final VarHandle OPEN_V2_GET_INFO_ONLY = OPEN_VIRTUAL_DISK_PARAMETERS.varHandle(
        groupElement("u"), groupElement("Version2"), groupElement("GetInfoOnly"));
    static final VarHandle OPEN_V2_READ_ONLY = OPEN_VIRTUAL_DISK_PARAMETERS.varHandle(
        groupElement("u"), groupElement("Version2"), groupElement("ReadOnly"));
    static final VarHandle INFO_VERSION = GET_VIRTUAL_DISK_INFO.varHandle(groupElement("Version"));
    static final VarHandle INFO_VIRTUAL_SIZE = GET_VIRTUAL_DISK_INFO.varHandle(
        groupElement("u"), groupElement("Size"), groupElement("VirtualSize"));
    static final VarHandle INFO_PHYSICAL_SIZE = GET_VIRTUAL_DISK_INFO.varHandle(
        groupElement("u"), groupElement("Size"), groupElement("PhysicalSize"));
    static final VarHandle INFO_BLOCK_SIZE = GET_VIRTUAL_DISK_INFO.varHandle(
        groupElement("u"), groupElement("Size"), groupElement("BlockSize"));
    static final VarHandle INFO_SECTOR_SIZE = GET_VIRTUAL_DISK_INFO.varHandle(
        groupElement("u"), groupElement("Size"), groupElement("SectorSize"));
    static final VarHandle INFO_CT_ENABLED = GET_VIRTUAL_DISK_INFO.varHandle(
        groupElement("u"), groupElement("ChangeTrackingState"), groupElement("Enabled"));
    static final VarHandle INFO_CT_NEWER_CHANGES = GET_VIRTUAL_DISK_INFO.varHandle(
        groupElement("u"), groupElement("ChangeTrackingState"), groupElement("NewerChanges"));
    static final VarHandle RANGE_BYTE_OFFSET = QUERY_CHANGES_VIRTUAL_DISK_RANGE.varHandle(groupElement("ByteOffset"));
    static final VarHandle RANGE_BYTE_LENGTH = QUERY_CHANGES_VIRTUAL_DISK_RANGE.varHandle(groupElement("ByteLength"));
    static final VarHandle ATTACH_VERSION = ATTACH_VIRTUAL_DISK_PARAMETERS.varHandle(groupElement("Version"));
    static final VarHandle OVERLAPPED_OFFSET = OVERLAPPED.varHandle(groupElement("Offset"));
    static final VarHandle OVERLAPPED_OFFSET_HIGH = OVERLAPPED.varHandle(groupElement("OffsetHigh"));

    private VirtDiskLayouts() {
    }
}
