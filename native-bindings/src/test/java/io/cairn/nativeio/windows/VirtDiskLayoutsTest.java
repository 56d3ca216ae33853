package io.cairn.nativeio.windows;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every virtdisk/kernel32 struct size and field offset against shared/docs/windows-hyperv.md. The numbers are typed
 * in from the document (section named on each test), not computed from the layouts.
 */
class VirtDiskLayoutsTest {
    private static long offset(final MemoryLayout layout, final String... path) {
        final PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    /** windows-hyperv.md 0: GUID size 16, align 4, Data1@0 Data2@4 Data3@6 Data4@8. */
    @Test
    void shouldMatchDocumentWhenLayingOutGuid() {
        assertEquals(16, Guids.LAYOUT.byteSize());
        assertEquals(4, Guids.LAYOUT.byteAlignment());
        assertEquals(0, offset(Guids.LAYOUT, "Data1"));
        assertEquals(4, offset(Guids.LAYOUT, "Data2"));
        assertEquals(6, offset(Guids.LAYOUT, "Data3"));
        assertEquals(8, offset(Guids.LAYOUT, "Data4"));
    }

    /** windows-hyperv.md 1.3: VIRTUAL_STORAGE_TYPE size 20, align 4, DeviceId@0, VendorId@4. */
    @Test
    void shouldMatchDocumentWhenLayingOutVirtualStorageType() {
        assertEquals(20, VirtDiskLayouts.VIRTUAL_STORAGE_TYPE.byteSize());
        assertEquals(4, VirtDiskLayouts.VIRTUAL_STORAGE_TYPE.byteAlignment());
        assertEquals(0, offset(VirtDiskLayouts.VIRTUAL_STORAGE_TYPE, "DeviceId"));
        assertEquals(4, offset(VirtDiskLayouts.VIRTUAL_STORAGE_TYPE, "VendorId"));
    }

    /** windows-hyperv.md 1.3: OPEN_VIRTUAL_DISK_PARAMETERS size 44 with the V3 arm, align 4. */
    @Test
    void shouldMatchDocumentWhenLayingOutOpenVirtualDiskParameters() {
        final MemoryLayout l = VirtDiskLayouts.OPEN_VIRTUAL_DISK_PARAMETERS;
        assertEquals(44, l.byteSize());
        assertEquals(4, l.byteAlignment());
        assertEquals(0, offset(l, "Version"));
        assertEquals(4, offset(l, "u", "Version1", "RWDepth"));
        assertEquals(4, offset(l, "u", "Version2", "GetInfoOnly"));
        assertEquals(8, offset(l, "u", "Version2", "ReadOnly"));
        assertEquals(12, offset(l, "u", "Version2", "ResiliencyGuid"));
        assertEquals(4, offset(l, "u", "Version3", "GetInfoOnly"));
        assertEquals(8, offset(l, "u", "Version3", "ReadOnly"));
        assertEquals(12, offset(l, "u", "Version3", "ResiliencyGuid"));
        assertEquals(28, offset(l, "u", "Version3", "SnapshotId"));
    }

    /** windows-hyperv.md 1.3: GET_VIRTUAL_DISK_INFO sizeof 32, align 8, union at 8. */
    @Test
    void shouldMatchDocumentWhenLayingOutGetVirtualDiskInfo() {
        final MemoryLayout l = VirtDiskLayouts.GET_VIRTUAL_DISK_INFO;
        assertEquals(32, l.byteSize());
        assertEquals(8, l.byteAlignment());
        assertEquals(0, offset(l, "Version"));
        assertEquals(8, offset(l, "u"));
        assertEquals(8, offset(l, "u", "Size", "VirtualSize"));
        assertEquals(16, offset(l, "u", "Size", "PhysicalSize"));
        assertEquals(24, offset(l, "u", "Size", "BlockSize"));
        assertEquals(28, offset(l, "u", "Size", "SectorSize"));
        assertEquals(8, offset(l, "u", "Identifier"));
        assertEquals(8, offset(l, "u", "VirtualDiskId"));
        assertEquals(8, offset(l, "u", "ProviderSubtype"));
        assertEquals(8, offset(l, "u", "SmallestSafeVirtualSize"));
        assertEquals(8, offset(l, "u", "PhysicalDisk", "LogicalSectorSize"));
        assertEquals(8, offset(l, "u", "ChangeTrackingState", "Enabled"));
        assertEquals(12, offset(l, "u", "ChangeTrackingState", "NewerChanges"));
        assertEquals(16, offset(l, "u", "ChangeTrackingState", "MostRecentId"));
        assertEquals(16, VirtDiskLayouts.CHANGE_TRACKING_MOST_RECENT_ID_OFFSET);
        assertEquals(8, VirtDiskLayouts.VIRTUAL_DISK_ID_OFFSET);
    }

    /** windows-hyperv.md 1.3: QUERY_CHANGES_VIRTUAL_DISK_RANGE size 24: ByteOffset@0, ByteLength@8, Reserved@16. */
    @Test
    void shouldMatchDocumentWhenLayingOutQueryChangesRange() {
        final MemoryLayout l = VirtDiskLayouts.QUERY_CHANGES_VIRTUAL_DISK_RANGE;
        assertEquals(24, l.byteSize());
        assertEquals(0, offset(l, "ByteOffset"));
        assertEquals(8, offset(l, "ByteLength"));
        assertEquals(16, offset(l, "Reserved"));
    }

    /** windows-hyperv.md 1.3: ATTACH_VIRTUAL_DISK_PARAMETERS SDK size 24, RestrictedOffset@8, RestrictedLength@16. */
    @Test
    void shouldMatchDocumentWhenLayingOutAttachVirtualDiskParameters() {
        final MemoryLayout l = VirtDiskLayouts.ATTACH_VIRTUAL_DISK_PARAMETERS;
        assertEquals(24, l.byteSize());
        assertEquals(0, offset(l, "Version"));
        assertEquals(8, offset(l, "u", "Version2", "RestrictedOffset"));
        assertEquals(16, offset(l, "u", "Version2", "RestrictedLength"));
    }

    /** windows-hyperv.md 3: OVERLAPPED size 32: Internal@0 InternalHigh@8 Offset@16 OffsetHigh@20 hEvent@24. */
    @Test
    void shouldMatchDocumentWhenLayingOutOverlapped() {
        final MemoryLayout l = VirtDiskLayouts.OVERLAPPED;
        assertEquals(32, l.byteSize());
        assertEquals(0, offset(l, "Internal"));
        assertEquals(8, offset(l, "InternalHigh"));
        assertEquals(16, offset(l, "Offset"));
        assertEquals(20, offset(l, "OffsetHigh"));
        assertEquals(24, offset(l, "hEvent"));
    }
}
