package io.cairn.nativeio.windows;

import java.lang.foreign.MemorySegment;

/**
 * {@code GET_VIRTUAL_DISK_INFO_SIZE} (windows-hyperv.md 1.3: {@code VirtualSize}@8, {@code PhysicalSize}@16,
 * {@code BlockSize}@24, {@code SectorSize}@28).
 *
 * @param virtualSize  size of the virtual disk in bytes
 * @param physicalSize size of the file in bytes
 * @param blockSize    VHDX block size in bytes
 * @param sectorSize   logical sector size in bytes (512 or 4096)
 */
public record VirtualDiskSize(long virtualSize, long physicalSize, int blockSize, int sectorSize) {
    /** Decodes a GET_VIRTUAL_DISK_INFO buffer filled for version SIZE; IllegalArgumentException for nonsense. */
    public static VirtualDiskSize decode(final MemorySegment info) {
        final int version = (int) VirtDiskLayouts.INFO_VERSION.get(info, 0L);
        if (version != VirtDiskConstants.GET_VIRTUAL_DISK_INFO_SIZE) {
            throw new IllegalArgumentException("GET_VIRTUAL_DISK_INFO version " + version + " is not "
                + VirtDiskConstants.GET_VIRTUAL_DISK_INFO_SIZE + " (SIZE)");
        }
        final long virtualSize = (long) VirtDiskLayouts.INFO_VIRTUAL_SIZE.get(info, 0L);
        final int sectorSize = (int) VirtDiskLayouts.INFO_SECTOR_SIZE.get(info, 0L);
        if (virtualSize < 0 || sectorSize <= 0 || Integer.bitCount(sectorSize) != 1
            || virtualSize % sectorSize != 0) {
            throw new IllegalArgumentException("implausible virtual disk size " + virtualSize + " with sector size "
                + sectorSize);
        }
        return new VirtualDiskSize(virtualSize, (long) VirtDiskLayouts.INFO_PHYSICAL_SIZE.get(info, 0L),
            (int) VirtDiskLayouts.INFO_BLOCK_SIZE.get(info, 0L), sectorSize);
    }
}
