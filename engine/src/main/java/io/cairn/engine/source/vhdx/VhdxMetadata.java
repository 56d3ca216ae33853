package io.cairn.engine.source.vhdx;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static io.cairn.engine.source.vhdx.VhdxLayout.*;

/**
 * The metadata region's items (MS-VHDX 2.6): file parameters, virtual disk size, sector sizes, page 83 data and,
 * for a differencing disk, the parent locator's key/value pairs. Every offset and length is checked against the
 * region before it is used.
 *
 * @param blockSize          payload block size in bytes (power of two, 1 MiB..256 MiB)
 * @param leaveAllocated     file parameter flag bit 0 (a fixed disk)
 * @param hasParent          file parameter flag bit 1 (a differencing disk)
 * @param virtualSize        bytes, a multiple of the logical sector size, at most 64 TiB
 * @param logicalSectorSize  512 or 4096
 * @param physicalSectorSize 512 or 4096 (512 when absent)
 * @param page83             the disk's SCSI page 83 identifier, or null
 * @param parentLocator      locator keys and values of a differencing disk (empty otherwise)
 */
record VhdxMetadata(long blockSize, boolean leaveAllocated, boolean hasParent, long virtualSize,
                    int logicalSectorSize, int physicalSectorSize, UUID page83, Map<String, String> parentLocator) {
    private static final int MAX_ITEM_LENGTH = 1024 * 1024;
    private static final int MAX_LOCATOR_ENTRIES = 256;

    static VhdxMetadata parse(final VhdxFile file, final long regionOffset, final long regionLength)
            throws IOException {
        final long tableLength = M_ENTRIES + MAX_TABLE_ENTRIES * M_ENTRY_LENGTH;
        final MemorySegment t = file.readStructure(regionOffset, tableLength, "metadata table");
        if (t.get(U64, 0) != METADATA_SIGNATURE) {
            throw new CorruptVhdxException(file.path(), regionOffset, "metadata table signature is not \"metadata\"");
        }
        final int count = t.get(U16, M_COUNT) & 0xFFFF;
        if (count > MAX_TABLE_ENTRIES) {
            throw new CorruptVhdxException(file.path(), regionOffset + M_COUNT, "metadata entry count " + count
                    + " exceeds " + MAX_TABLE_ENTRIES);
        }
        MemorySegment params = null, size = null, logical = null, physical = null, page83 = null, locator = null;
        long locatorOffset = -1;
        for (int i = 0; i < count; i++) {
            final long e = M_ENTRIES + i * M_ENTRY_LENGTH;
            final long at = regionOffset + e;
            final UUID id = guid(t, e);
            final long offset = t.get(U32, e + 16) & 0xFFFFFFFFL;
            final long length = t.get(U32, e + 20) & 0xFFFFFFFFL;
            final int flags = t.get(U32, e + 24);
            if (length > MAX_ITEM_LENGTH || (length > 0 && (offset < M_ITEMS_MIN_OFFSET
                    || offset > regionLength - length))) {
                throw new CorruptVhdxException(file.path(), at, "metadata item " + id + " at " + offset + " of "
                        + length + " bytes lies outside the " + regionLength + "-byte metadata region");
            }
            final MemorySegment item = length == 0 ? MemorySegment.NULL
                    : file.readStructure(regionOffset + offset, length, "metadata item " + id);
            if (id.equals(FILE_PARAMETERS)) {
                params = expect(file, at, item, 8, "file parameters");
            } else if (id.equals(VIRTUAL_DISK_SIZE)) {
                size = expect(file, at, item, 8, "virtual disk size");
            } else if (id.equals(LOGICAL_SECTOR_SIZE)) {
                logical = expect(file, at, item, 4, "logical sector size");
            } else if (id.equals(PHYSICAL_SECTOR_SIZE)) {
                physical = expect(file, at, item, 4, "physical sector size");
            } else if (id.equals(PAGE83_DATA)) {
                page83 = expect(file, at, item, 16, "page 83 data");
            } else if (id.equals(PARENT_LOCATOR)) {
                locator = item;
                locatorOffset = regionOffset + offset;
            } else if ((flags & M_FLAG_REQUIRED) != 0) {
                throw new CorruptVhdxException(file.path(), at, "unknown required metadata item " + id);
            }
        }
        if (params == null || size == null || logical == null) {
            throw new CorruptVhdxException(file.path(), regionOffset, "metadata lacks the "
                    + (params == null ? "file parameters" : size == null ? "virtual disk size" : "logical sector size")
                    + " item");
        }
        final long blockSize = params.get(U32, 0) & 0xFFFFFFFFL;
        final int fpFlags = params.get(U32, 4);
        if (Long.bitCount(blockSize) != 1 || blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
            throw new CorruptVhdxException(file.path(), regionOffset, "block size " + blockSize
                    + " is not a power of two between 1 MiB and 256 MiB");
        }
        final int logicalSize = logical.get(U32, 0);
        final int physicalSize = physical == null ? 512 : physical.get(U32, 0);
        if ((logicalSize != 512 && logicalSize != 4096) || (physicalSize != 512 && physicalSize != 4096)) {
            throw new CorruptVhdxException(file.path(), regionOffset, "sector sizes logical=" + logicalSize
                    + " physical=" + physicalSize + " are not 512 or 4096");
        }
        final long virtualSize = size.get(U64, 0);
        if (virtualSize <= 0 || virtualSize > MAX_VIRTUAL_SIZE || virtualSize % logicalSize != 0) {
            throw new CorruptVhdxException(file.path(), regionOffset, "virtual disk size " + virtualSize
                    + " is not a positive multiple of " + logicalSize + " up to 64 TiB");
        }
        final boolean hasParent = (fpFlags & FP_HAS_PARENT) != 0;
        Map<String, String> keys = Map.of();
        if (hasParent) {
            if (locator == null) {
                throw new CorruptVhdxException(file.path(), regionOffset, "differencing disk without parent locator");
            }
            keys = parseLocator(file, locator, locatorOffset);
        }
        return new VhdxMetadata(blockSize, (fpFlags & FP_LEAVE_BLOCKS_ALLOCATED) != 0, hasParent, virtualSize,
                logicalSize, physicalSize, page83 == null ? null : guid(page83, 0), keys);
    }

    private static MemorySegment expect(final VhdxFile file, final long at, final MemorySegment item, final int length,
                                        final String what) throws CorruptVhdxException {
        if (item.byteSize() < length) {
            throw new CorruptVhdxException(file.path(), at, what + " item holds " + item.byteSize()
                    + " bytes, needs " + length);
        }
        return item;
    }

    /** Parent locator (MS-VHDX 2.6.2.6): 20-byte header, then 12-byte key/value entries of UTF-16LE strings. */
    private static Map<String, String> parseLocator(final VhdxFile file, final MemorySegment l, final long at)
            throws CorruptVhdxException {
        if (l.byteSize() < 20) {
            throw new CorruptVhdxException(file.path(), at, "parent locator of " + l.byteSize() + " bytes is too short");
        }
        final UUID type = guid(l, 0);
        if (!type.equals(VHDX_LOCATOR_TYPE)) {
            throw new CorruptVhdxException(file.path(), at, "parent locator type " + type + " is not the VHDX one");
        }
        final int count = l.get(U16, 18) & 0xFFFF;
        if (count > MAX_LOCATOR_ENTRIES || 20 + 12L * count > l.byteSize()) {
            throw new CorruptVhdxException(file.path(), at, "parent locator entry count " + count
                    + " does not fit its " + l.byteSize() + " bytes");
        }
        final Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            final long e = 20 + 12L * i;
            final String key = utf16(file, l, at, l.get(U32, e) & 0xFFFFFFFFL, l.get(U16, e + 8) & 0xFFFF);
            final String value = utf16(file, l, at, l.get(U32, e + 4) & 0xFFFFFFFFL, l.get(U16, e + 10) & 0xFFFF);
            out.put(key, value);
        }
        if (!out.containsKey("parent_linkage")) {
            throw new CorruptVhdxException(file.path(), at, "parent locator lacks parent_linkage");
        }
        return out;
    }

    private static String utf16(final VhdxFile file, final MemorySegment l, final long at, final long offset,
                                final int length) throws CorruptVhdxException {
        if (length % 2 != 0 || offset > l.byteSize() - length) {
            throw new CorruptVhdxException(file.path(), at + offset, "parent locator string at " + offset + " of "
                    + length + " bytes lies outside the " + l.byteSize() + "-byte locator");
        }
        final byte[] b = l.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
        return new String(b, StandardCharsets.UTF_16LE);
    }
}
