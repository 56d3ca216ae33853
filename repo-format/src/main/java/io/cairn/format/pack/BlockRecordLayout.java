package io.cairn.format.pack;

/**
 * Byte layout of one record's 40-byte header (FORMAT.md section 4.2); the stored bytes follow it.
 *
 * <pre>
 *  0 magic u32 "CREC" | 4 codec u8 | 5 flags u8 | 6 reserved u16 | 8 raw length u32 | 12 stored length u32
 * 16 block id (16 bytes, canonical) | 32 data crc32c u32 | 36 header crc32c u32 (of bytes 0..35)
 * </pre>
 */
public final class BlockRecordLayout {
    /** "CREC" in file order, read as a little-endian int. */
    public static final int MAGIC = 0x43455243;
    public static final int HEADER_LENGTH = 40;
    public static final int MAGIC_OFFSET = 0;
    public static final int CODEC_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int RESERVED_OFFSET = 6;
    public static final int RAW_LENGTH_OFFSET = 8;
    public static final int STORED_LENGTH_OFFSET = 12;
    public static final int ID_OFFSET = 16;
    public static final int DATA_CRC_OFFSET = 32;
    public static final int HEADER_CRC_OFFSET = 36;

    public static final int CODEC_RAW = 0;
    public static final int CODEC_ZSTD = 1;

    private BlockRecordLayout() {
    }

    public static String codecName(final int codec) {
        return switch (codec) {
            case CODEC_RAW -> "raw";
            case CODEC_ZSTD -> "zstd";
            default -> "codec-" + codec;
        };
    }
}
