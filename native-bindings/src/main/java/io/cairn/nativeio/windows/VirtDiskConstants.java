package io.cairn.nativeio.windows;

import java.util.UUID;

/**
 * virtdisk.h constants used by the bindings, with the values of windows-hyperv.md section 1.2 (SDK-virtdisk).
 * VirtDiskConstantsTest repeats every value from the document.
 */
public final class VirtDiskConstants {
    /** VIRTUAL_STORAGE_TYPE_DEVICE_UNKNOWN: with a zero vendor, detect the type from the file extension. */
    public static final int VIRTUAL_STORAGE_TYPE_DEVICE_UNKNOWN = 0;
    /** VIRTUAL_STORAGE_TYPE_DEVICE_ISO. */
    public static final int VIRTUAL_STORAGE_TYPE_DEVICE_ISO = 1;
    /** VIRTUAL_STORAGE_TYPE_DEVICE_VHD. */
    public static final int VIRTUAL_STORAGE_TYPE_DEVICE_VHD = 2;
    /** VIRTUAL_STORAGE_TYPE_DEVICE_VHDX. */
    public static final int VIRTUAL_STORAGE_TYPE_DEVICE_VHDX = 3;
    /** VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET. */
    public static final int VIRTUAL_STORAGE_TYPE_DEVICE_VHDSET = 4;
    /** VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT. */
    public static final UUID VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT =
        UUID.fromString("EC984AEC-A0F9-47E9-901F-71415A66345B");

    /** VIRTUAL_DISK_ACCESS_NONE: the only access mask allowed with OPEN_VIRTUAL_DISK_VERSION_2/3. */
    public static final int VIRTUAL_DISK_ACCESS_NONE = 0x0;
    /** VIRTUAL_DISK_ACCESS_ATTACH_RO. */
    public static final int VIRTUAL_DISK_ACCESS_ATTACH_RO = 0x0001_0000;
    /** VIRTUAL_DISK_ACCESS_ATTACH_RW. */
    public static final int VIRTUAL_DISK_ACCESS_ATTACH_RW = 0x0002_0000;
    /** VIRTUAL_DISK_ACCESS_DETACH. */
    public static final int VIRTUAL_DISK_ACCESS_DETACH = 0x0004_0000;
    /** VIRTUAL_DISK_ACCESS_GET_INFO. */
    public static final int VIRTUAL_DISK_ACCESS_GET_INFO = 0x0008_0000;
    /** VIRTUAL_DISK_ACCESS_CREATE. */
    public static final int VIRTUAL_DISK_ACCESS_CREATE = 0x0010_0000;
    /** VIRTUAL_DISK_ACCESS_METAOPS. */
    public static final int VIRTUAL_DISK_ACCESS_METAOPS = 0x0020_0000;
    /** VIRTUAL_DISK_ACCESS_READ. */
    public static final int VIRTUAL_DISK_ACCESS_READ = 0x000D_0000;
    /** VIRTUAL_DISK_ACCESS_ALL. */
    public static final int VIRTUAL_DISK_ACCESS_ALL = 0x003F_0000;
    /** VIRTUAL_DISK_ACCESS_WRITABLE. */
    public static final int VIRTUAL_DISK_ACCESS_WRITABLE = 0x0032_0000;

    /** OPEN_VIRTUAL_DISK_FLAG_NONE. */
    public static final int OPEN_VIRTUAL_DISK_FLAG_NONE = 0;
    /** OPEN_VIRTUAL_DISK_FLAG_NO_PARENTS: open only this file of a differencing chain. */
    public static final int OPEN_VIRTUAL_DISK_FLAG_NO_PARENTS = 0x1;

    /** OPEN_VIRTUAL_DISK_VERSION_1. */
    public static final int OPEN_VIRTUAL_DISK_VERSION_1 = 1;
    /** OPEN_VIRTUAL_DISK_VERSION_2: what the RCT code in BAREOS-HV and the MS-HVS samples use. */
    public static final int OPEN_VIRTUAL_DISK_VERSION_2 = 2;
    /** OPEN_VIRTUAL_DISK_VERSION_3: used by CB-RCT. */
    public static final int OPEN_VIRTUAL_DISK_VERSION_3 = 3;
    /** OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT. */
    public static final int OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT = 1;

    /** ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY. */
    public static final int ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY = 0x1;
    /** ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER. */
    public static final int ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER = 0x2;
    /** ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST: required for raw I/O on the virtual-disk handle (MS-HVS). */
    public static final int ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST = 0x8;
    /** ATTACH_VIRTUAL_DISK_VERSION_1. */
    public static final int ATTACH_VIRTUAL_DISK_VERSION_1 = 1;
    /** DETACH_VIRTUAL_DISK_FLAG_NONE. */
    public static final int DETACH_VIRTUAL_DISK_FLAG_NONE = 0;

    /** GET_VIRTUAL_DISK_INFO_SIZE. */
    public static final int GET_VIRTUAL_DISK_INFO_SIZE = 1;
    /** GET_VIRTUAL_DISK_INFO_IDENTIFIER. */
    public static final int GET_VIRTUAL_DISK_INFO_IDENTIFIER = 2;
    /** GET_VIRTUAL_DISK_INFO_PROVIDER_SUBTYPE (2 fixed, 3 dynamic, 4 differencing). */
    public static final int GET_VIRTUAL_DISK_INFO_PROVIDER_SUBTYPE = 7;
    /** GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID: the GUID that matches a disk across backups. */
    public static final int GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID = 14;
    /** GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE. */
    public static final int GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE = 15;

    /** VIRTUAL_DISK_MAXIMUM_CHANGE_TRACKING_ID_LENGTH in WCHARs (whether it counts the NUL is not confirmed). */
    public static final int VIRTUAL_DISK_MAXIMUM_CHANGE_TRACKING_ID_LENGTH = 256;
    /** QUERY_CHANGES_VIRTUAL_DISK_FLAG_NONE: the only flag value. */
    public static final int QUERY_CHANGES_VIRTUAL_DISK_FLAG_NONE = 0;

    /** kernel32 CloseHandle / CreateFileW: INVALID_HANDLE_VALUE. */
    public static final long INVALID_HANDLE_VALUE = -1L;

    private VirtDiskConstants() {
    }
}
