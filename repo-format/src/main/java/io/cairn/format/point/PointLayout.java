package io.cairn.format.point;

/**
 * Byte layout of a restore point file (FORMAT.md section 5).
 *
 * <pre>
 * +---------------+------------------------------+------------------+----------------+
 * | header (64 B) | block map: count x 16 bytes  | manifest (UTF-8) | trailer (32 B) |
 * +---------------+------------------------------+------------------+----------------+
 * </pre>
 * Little-endian integers; block ids in canonical byte order. See PointLayoutTest.
 */
public final class PointLayout {
    /** First 8 bytes of SHA-256("cairn point v1"), in file order. */
    public static final long MAGIC_BE = 0xa84ada904a110029L;
    public static final int VERSION = 1;

    public static final int HEADER_LENGTH = 64;
    public static final int HEADER_MAGIC_OFFSET = 0;
    public static final int HEADER_VERSION_OFFSET = 8;
    public static final int HEADER_LENGTH_OFFSET = 10;
    public static final int HEADER_BLOCK_SIZE_OFFSET = 12;
    public static final int HEADER_VIRTUAL_SIZE_OFFSET = 16;
    public static final int HEADER_BLOCK_COUNT_OFFSET = 24;
    public static final int HEADER_MANIFEST_OFFSET_OFFSET = 32;
    public static final int HEADER_MANIFEST_LENGTH_OFFSET = 40;
    public static final int HEADER_FLAGS_OFFSET = 44;
    public static final int HEADER_RESERVED_OFFSET = 48;
    public static final int HEADER_CRC_OFFSET = 60;

    public static final int MAP_ENTRY_LENGTH = 16;

    public static final int TRAILER_LENGTH = 32;
    public static final int TRAILER_MAP_CRC_OFFSET = 0;
    public static final int TRAILER_MANIFEST_CRC_OFFSET = 4;
    public static final int TRAILER_FILE_LENGTH_OFFSET = 8;
    public static final int TRAILER_MAGIC_OFFSET = 16;
    public static final int TRAILER_RESERVED_OFFSET = 24;
    public static final int TRAILER_CRC_OFFSET = 28;

    public static final int MAX_MANIFEST_LENGTH = 1024 * 1024;
    public static final String SUFFIX = ".point";

    private PointLayout() {
    }

    /** Offset of the manifest = end of the block map. */
    public static long manifestOffset(final long blockCount) {
        return HEADER_LENGTH + blockCount * MAP_ENTRY_LENGTH;
    }

    /** ceil(virtualSize / blockSize). */
    public static long blockCount(final long virtualSize, final int blockSize) {
        return (virtualSize + blockSize - 1) / blockSize;
    }
}
