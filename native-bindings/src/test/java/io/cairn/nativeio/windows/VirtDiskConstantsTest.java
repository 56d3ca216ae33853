package io.cairn.nativeio.windows;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** virtdisk constants against windows-hyperv.md 1.2 (SDK-virtdisk); numbers typed in. */
class VirtDiskConstantsTest {
    @Test
    void shouldMatchDocumentWhenDefiningStorageTypes() {
        assertEquals(0, VirtDiskConstants.VIRTUAL_STORAGE_TYPE_DEVICE_UNKNOWN);
        assertEquals(1, VirtDiskConstants.VIRTUAL_STORAGE_TYPE_DEVICE_ISO);
        assertEquals(2, VirtDiskConstants.VIRTUAL_STORAGE_TYPE_DEVICE_VHD);
        assertEquals(3, VirtDiskConstants.VIRTUAL_STORAGE_TYPE_DEVICE_VHDX);
        assertEquals(4, VirtDiskConstants.VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET);
        assertEquals(UUID.fromString("EC984AEC-A0F9-47E9-901F-71415A66345B"),
            VirtDiskConstants.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT);
    }

    @Test
    void shouldMatchDocumentWhenDefiningAccessMasksAndFlags() {
        assertEquals(0x0, VirtDiskConstants.VIRTUAL_DISK_ACCESS_NONE);
        assertEquals(0x00010000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_ATTACH_RO);
        assertEquals(0x00020000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_ATTACH_RW);
        assertEquals(0x00040000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_DETACH);
        assertEquals(0x00080000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_GET_INFO);
        assertEquals(0x00100000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_CREATE);
        assertEquals(0x00200000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_METAOPS);
        assertEquals(0x000D0000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_READ);
        assertEquals(0x003F0000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_ALL);
        assertEquals(0x00320000, VirtDiskConstants.VIRTUAL_DISK_ACCESS_WRITABLE);
        assertEquals(0, VirtDiskConstants.OPEN_VIRTUAL_DISK_FLAG_NONE);
        assertEquals(0x1, VirtDiskConstants.OPEN_VIRTUAL_DISK_FLAG_NO_PARENTS);
        assertEquals(1, VirtDiskConstants.OPEN_VIRTUAL_DISK_VERSION_1);
        assertEquals(2, VirtDiskConstants.OPEN_VIRTUAL_DISK_VERSION_2);
        assertEquals(3, VirtDiskConstants.OPEN_VIRTUAL_DISK_VERSION_3);
        assertEquals(1, VirtDiskConstants.OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT);
        assertEquals(0x1, VirtDiskConstants.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY);
        assertEquals(0x2, VirtDiskConstants.ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER);
        assertEquals(0x8, VirtDiskConstants.ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST);
        assertEquals(1, VirtDiskConstants.ATTACH_VIRTUAL_DISK_VERSION_1);
        assertEquals(0, VirtDiskConstants.DETACH_VIRTUAL_DISK_FLAG_NONE);
    }

    @Test
    void shouldMatchDocumentWhenDefiningInfoVersionsAndLimits() {
        assertEquals(1, VirtDiskConstants.GET_VIRTUAL_DISK_INFO_SIZE);
        assertEquals(2, VirtDiskConstants.GET_VIRTUAL_DISK_INFO_IDENTIFIER);
        assertEquals(7, VirtDiskConstants.GET_VIRTUAL_DISK_INFO_PROVIDER_SUBTYPE);
        assertEquals(14, VirtDiskConstants.GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID);
        assertEquals(15, VirtDiskConstants.GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE);
        assertEquals(256, VirtDiskConstants.VIRTUAL_DISK_MAXIMUM_CHANGE_TRACKING_ID_LENGTH);
        assertEquals(0, VirtDiskConstants.QUERY_CHANGES_VIRTUAL_DISK_FLAG_NONE);
        assertEquals(-1L, VirtDiskConstants.INVALID_HANDLE_VALUE);
    }
}
