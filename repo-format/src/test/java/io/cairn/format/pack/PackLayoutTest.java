package io.cairn.format.pack;

import io.cairn.format.MagicNumbers;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** PackLayout against the tables of FORMAT.md 4.1, 4.3 and 4.4 (numbers copied from the tables). */
class PackLayoutTest {
    @Test
    void shouldEqualSha256PrefixWhenMagicComparedToCairnPackV1() {
        assertEquals(MagicNumbers.magicBigEndian("cairn pack v1"), PackLayout.MAGIC_BE);
        // the bytes printed in FORMAT.md section 3 and 4.1
        assertArrayEquals(HexFormat.ofDelimiter(" ").parseHex("e7 2b ba c2 fc 19 7c e2"),
                MagicNumbers.magicBytes("cairn pack v1"));
    }

    @Test
    void shouldMatchFormatTableWhenHeaderOffsetsRead() {
        assertEquals(1, PackLayout.VERSION);
        assertEquals(64, PackLayout.HEADER_LENGTH);
        assertEquals(0, PackLayout.HEADER_MAGIC_OFFSET);
        assertEquals(8, PackLayout.HEADER_VERSION_OFFSET);
        assertEquals(10, PackLayout.HEADER_LENGTH_OFFSET);
        assertEquals(12, PackLayout.HEADER_FLAGS_OFFSET);
        assertEquals(16, PackLayout.HEADER_PACK_ID_OFFSET);
        assertEquals(32, PackLayout.HEADER_REPOSITORY_ID_OFFSET);
        assertEquals(48, PackLayout.HEADER_CREATED_OFFSET);
        assertEquals(56, PackLayout.HEADER_RESERVED_OFFSET);
        assertEquals(60, PackLayout.HEADER_CRC_OFFSET);
    }

    @Test
    void shouldMatchFormatTableWhenFooterEntryOffsetsRead() {
        assertEquals(32, PackLayout.FOOTER_ENTRY_LENGTH);
        assertEquals(0, PackLayout.FOOTER_ID_OFFSET);
        assertEquals(16, PackLayout.FOOTER_RECORD_OFFSET_OFFSET);
        assertEquals(24, PackLayout.FOOTER_RAW_LENGTH_OFFSET);
        assertEquals(28, PackLayout.FOOTER_STORED_LENGTH_OFFSET);
    }

    @Test
    void shouldMatchFormatTableWhenTrailerOffsetsRead() {
        assertEquals(56, PackLayout.TRAILER_LENGTH);
        assertEquals(0, PackLayout.TRAILER_FOOTER_OFFSET_OFFSET);
        assertEquals(8, PackLayout.TRAILER_RECORD_COUNT_OFFSET);
        assertEquals(12, PackLayout.TRAILER_FOOTER_CRC_OFFSET);
        assertEquals(16, PackLayout.TRAILER_PACK_ID_OFFSET);
        assertEquals(32, PackLayout.TRAILER_FILE_LENGTH_OFFSET);
        assertEquals(40, PackLayout.TRAILER_MAGIC_OFFSET);
        assertEquals(48, PackLayout.TRAILER_RESERVED_OFFSET);
        assertEquals(52, PackLayout.TRAILER_CRC_OFFSET);
    }

    @Test
    void shouldBoundRecordsAndNameFilesWhenSpecLimitsApplied() {
        assertEquals(1_048_576, PackLayout.MAX_RECORDS);
        assertEquals("00112233445566778899aabbccddeeff.pack", PackLayout.fileName("00112233445566778899aabbccddeeff"));
    }
}
