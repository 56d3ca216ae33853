package io.cairn.format.pack;

/**
 * Byte layout of a pack's header, footer entries and trailer (FORMAT.md sections 4.1, 4.3, 4.4).
 *
 * <pre>
 * +----------------+---------------------------+-----+-------------+---------------+
 * | header (64 B)  | record 0: header + stored | ... | footer N*32 | trailer (56 B)|
 * +----------------+---------------------------+-----+-------------+---------------+
 * </pre>
 * All integers little-endian. See PackLayoutTest.
 */
public final class PackLayout {
    /** First 8 bytes of SHA-256("cairn pack v1"), in file order. */
    public static final long MAGIC_BE = 0xe72bbac2fc197ce2L;
    public static final int VERSION = 1;

    public static final int HEADER_LENGTH = 64;
    public static final int HEADER_MAGIC_OFFSET = 0;
    public static final int HEADER_VERSION_OFFSET = 8;
    public static final int HEADER_LENGTH_OFFSET = 10;
    public static final int HEADER_FLAGS_OFFSET = 12;
    public static final int HEADER_PACK_ID_OFFSET = 16;
    public static final int HEADER_REPOSITORY_ID_OFFSET = 32;
    public static final int HEADER_CREATED_OFFSET = 48;
    public static final int HEADER_RESERVED_OFFSET = 56;
    public static final int HEADER_CRC_OFFSET = 60;

    public static final int FOOTER_ENTRY_LENGTH = 32;
    public static final int FOOTER_ID_OFFSET = 0;
    public static final int FOOTER_RECORD_OFFSET_OFFSET = 16;
    public static final int FOOTER_RAW_LENGTH_OFFSET = 24;
    public static final int FOOTER_STORED_LENGTH_OFFSET = 28;

    public static final int TRAILER_LENGTH = 56;
    public static final int TRAILER_FOOTER_OFFSET_OFFSET = 0;
    public static final int TRAILER_RECORD_COUNT_OFFSET = 8;
    public static final int TRAILER_FOOTER_CRC_OFFSET = 12;
    public static final int TRAILER_PACK_ID_OFFSET = 16;
    public static final int TRAILER_FILE_LENGTH_OFFSET = 32;
    public static final int TRAILER_MAGIC_OFFSET = 40;
    public static final int TRAILER_RESERVED_OFFSET = 48;
    public static final int TRAILER_CRC_OFFSET = 52;

    /** Bound on records per pack (FORMAT.md 3.1). */
    public static final int MAX_RECORDS = 1 << 20;

    private PackLayout() {
    }

    /** File name of a sealed pack. */
    public static String fileName(final String packIdHex) {
        return packIdHex + ".pack";
    }
}
