package io.cairn.engine.source.vhdx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Byte layout of a VHDX file (MS-VHDX; ../shared/docs/windows-hyperv.md section 4), shared by the reader and by
 * {@code io.cairn.engine.restore.vhdx.VhdxWriter}. All integers little-endian; GUIDs in Microsoft byte order
 * (Data1, Data2, Data3 little-endian, Data4 as stored).
 * <pre>
 * 0      64 KiB  file identifier "vhdxfile" + creator (UTF-16LE)
 * 64K    4 KiB   header 1  ("head", CRC-32C, sequence number, file/data/log GUIDs, log offset/length)
 * 128K   4 KiB   header 2
 * 192K   64 KiB  region table 1 ("regi", CRC-32C, entry count, 32-byte entries: GUID, offset, length, flags)
 * 256K   64 KiB  region table 2
 * 1 MiB  ...     log, BAT, metadata and payload blocks at 1 MiB-aligned offsets
 * </pre>
 */
public final class VhdxLayout {
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static final long MIB = 1L << 20;
    public static final long FILE_SIGNATURE = 0x656C696678646876L; // "vhdxfile"
    public static final int HEADER_SIGNATURE = 0x64616568; // "head"
    public static final int REGION_SIGNATURE = 0x69676572; // "regi"
    public static final long METADATA_SIGNATURE = 0x617461646174656DL; // "metadata"
    public static final long HEADER1_OFFSET = 64 * 1024, HEADER2_OFFSET = 128 * 1024, HEADER_LENGTH = 4096;
    public static final long REGION1_OFFSET = 192 * 1024, REGION2_OFFSET = 256 * 1024, REGION_LENGTH = 64 * 1024;
    /** Header fields. */
    public static final long H_CHECKSUM = 4, H_SEQUENCE = 8, H_FILE_WRITE_GUID = 16, H_DATA_WRITE_GUID = 32,
            H_LOG_GUID = 48, H_LOG_VERSION = 64, H_VERSION = 66, H_LOG_LENGTH = 68, H_LOG_OFFSET = 72;
    /** Region table: entry count at 8, entries of 32 bytes from 16 (GUID, u64 offset, u32 length, u32 flags). */
    public static final long R_COUNT = 8, R_ENTRIES = 16, R_ENTRY_LENGTH = 32;
    public static final int MAX_TABLE_ENTRIES = 2047;
    /** Metadata table: entry count (u16) at 10, entries of 32 bytes from 32 (GUID, u32 offset, u32 length, flags). */
    public static final long M_COUNT = 10, M_ENTRIES = 32, M_ENTRY_LENGTH = 32, M_ITEMS_MIN_OFFSET = 64 * 1024;
    public static final int M_FLAG_VIRTUAL_DISK = 2, M_FLAG_REQUIRED = 4;
    public static final int FP_LEAVE_BLOCKS_ALLOCATED = 1, FP_HAS_PARENT = 2;

    public static final UUID BAT_REGION = UUID.fromString("2DC27766-F623-4200-9D64-115E9BFD4A08");
    public static final UUID METADATA_REGION = UUID.fromString("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    public static final UUID FILE_PARAMETERS = UUID.fromString("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
    public static final UUID VIRTUAL_DISK_SIZE = UUID.fromString("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    public static final UUID PAGE83_DATA = UUID.fromString("BECA12AB-B2E6-4523-93EF-C309E000C746");
    public static final UUID LOGICAL_SECTOR_SIZE = UUID.fromString("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
    public static final UUID PHYSICAL_SECTOR_SIZE = UUID.fromString("CDA348C7-445D-4471-9CC9-E9885251C556");
    public static final UUID PARENT_LOCATOR = UUID.fromString("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");
    public static final UUID VHDX_LOCATOR_TYPE = UUID.fromString("B04AEFB7-D19E-4A81-B789-25B8E9445913");

    /** BAT entry states (bits 0-2); file offset = entry with the low 20 bits cleared. */
    public static final int PAYLOAD_NOT_PRESENT = 0, PAYLOAD_UNDEFINED = 1, PAYLOAD_ZERO = 2, PAYLOAD_UNMAPPED = 3,
            PAYLOAD_UNMAPPED_V095 = 5, PAYLOAD_FULLY_PRESENT = 6, PAYLOAD_PARTIALLY_PRESENT = 7;
    public static final int SB_NOT_PRESENT = 0, SB_PRESENT = 6;
    public static final long BAT_OFFSET_MASK = ~0xFFFFFL;
    public static final long MIN_BLOCK_SIZE = MIB, MAX_BLOCK_SIZE = 256 * MIB;
    public static final long MAX_VIRTUAL_SIZE = 64L << 40;
    /** A sector bitmap block: 1 MiB, one bit per logical sector of a chunk. */
    public static final long SECTOR_BITMAP_BLOCK = MIB;

    private VhdxLayout() {
    }

    /** Chunk ratio: payload blocks per sector bitmap block, (2^23 * logical sector size) / block size. */
    public static long chunkRatio(final long logicalSectorSize, final long blockSize) {
        return ((1L << 23) * logicalSectorSize) / blockSize;
    }

    /** BAT index of payload block {@code block}: payload entries are interleaved with one bitmap entry per chunk. */
    public static long payloadEntryIndex(final long block, final long chunkRatio) {
        return block + block / chunkRatio;
    }

    /** BAT index of the sector bitmap entry of chunk {@code chunk}. */
    public static long bitmapEntryIndex(final long chunk, final long chunkRatio) {
        return chunk * (chunkRatio + 1) + chunkRatio;
    }

    /** BAT entries of a disk (QEMU {@code vhdx_calc_bat_entries}): differencing disks carry every bitmap entry. */
    public static long batEntries(final long payloadBlocks, final long chunkRatio, final boolean hasParent) {
        if (hasParent) {
            return ((payloadBlocks + chunkRatio - 1) / chunkRatio) * (chunkRatio + 1);
        }
        return payloadBlocks + (payloadBlocks - 1) / chunkRatio;
    }

    /** Reads a GUID stored in Microsoft byte order. */
    public static UUID guid(final MemorySegment s, final long offset) {
        final long d1 = s.get(U32, offset) & 0xFFFFFFFFL;
        final long d2 = s.get(U16, offset + 4) & 0xFFFFL;
        final long d3 = s.get(U16, offset + 6) & 0xFFFFL;
        final long d4 = s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset + 8);
        return new UUID((d1 << 32) | (d2 << 16) | d3, d4);
    }

    /** Writes a GUID in Microsoft byte order. */
    public static void putGuid(final MemorySegment s, final long offset, final UUID guid) {
        final long msb = guid.getMostSignificantBits();
        s.set(U32, offset, (int) (msb >>> 32));
        s.set(U16, offset + 4, (short) (msb >>> 16));
        s.set(U16, offset + 6, (short) msb);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset + 8,
                guid.getLeastSignificantBits());
    }

    /** CRC-32C of {@code length} bytes of s, computed as if the 4-byte checksum field at 4 were zero. */
    public static int checksum(final MemorySegment s, final long length) {
        final CRC32C crc = new CRC32C();
        final MemorySegment region = s.asSlice(0, length);
        crc.update(region.asSlice(0, 4).asByteBuffer());
        crc.update(new byte[4]);
        crc.update(region.asSlice(8).asByteBuffer());
        return (int) crc.getValue();
    }

    /** Stores the checksum of {@code length} bytes of s in its field at 4. */
    public static void seal(final MemorySegment s, final long length) {
        s.set(U32, 4, 0);
        s.set(U32, 4, checksum(s, length));
    }

    /** The GUID as MS-VHDX parent locators spell it: lowercase, in braces. */
    public static String braced(final UUID guid) {
        return "{" + guid + "}";
    }
}
