package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.ChangeTrackingState;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The part of virtdisk.dll that {@link RctBlockSource} needs, as an interface so that the source's logic (paging,
 * validation, merging, reads) runs against a test double on any platform. The real implementation is
 * {@link VirtDiskVirtualDiskApi}, over {@code io.cairn.nativeio.windows.VirtualDisk}.
 */
public interface VirtualDiskApi {
    /**
     * Opens a VHDX/AVHDX read-only for RCT queries and raw reads (OpenVirtualDisk V2, ReadOnly, then
     * AttachVirtualDisk NO_LOCAL_HOST | READ_ONLY).
     */
    Disk openReadOnly(String path) throws IOException;

    /** An open virtual disk. Threads: {@link #read} on one reader thread; the rest on the opening thread. */
    interface Disk extends AutoCloseable {
        /** GET_VIRTUAL_DISK_INFO_SIZE VirtualSize, in bytes. */
        long virtualSize() throws IOException;

        /** GET_VIRTUAL_DISK_INFO_SIZE SectorSize (512 or 4096): reads must be multiples of it. */
        int sectorSize() throws IOException;

        /** GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE. */
        ChangeTrackingState changeTracking() throws IOException;

        /**
         * One QueryChangesVirtualDisk call over {@code [byteOffset, byteOffset + byteLength)} since
         * {@code changeTrackingId}, with room for {@code page.capacity()} ranges: fills {@code page} with the
         * ranges and the processed length exactly as Windows reported them (no validation here).
         */
        void queryChanges(String changeTrackingId, long byteOffset, long byteLength, ChangedRangePage page)
            throws IOException;

        /**
         * Unbuffered read of {@code length} bytes (a sector multiple) at virtual {@code offset} (a sector multiple)
         * into {@code dst} (4096-aligned); returns the bytes read, fewer only at the end of the disk.
         */
        int read(MemorySegment dst, long offset, int length) throws IOException;

        @Override
        void close() throws IOException;
    }
}
