package io.cairn.format.point;

import io.cairn.format.MagicNumbers;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** PointLayout against the tables of FORMAT.md 5.1, 5.2 and 5.4 (numbers copied from the tables). */
class PointLayoutTest {
    @Test
    void shouldEqualSha256PrefixWhenMagicComparedToCairnPointV1() {
        assertEquals(MagicNumbers.magicBigEndian("cairn point v1"), PointLayout.MAGIC_BE);
        assertArrayEquals(HexFormat.ofDelimiter(" ").parseHex("a8 4a da 90 4a 11 00 29"),
                MagicNumbers.magicBytes("cairn point v1"));
    }

    @Test
    void shouldMatchFormatTableWhenHeaderOffsetsRead() {
        assertEquals(1, PointLayout.VERSION);
        assertEquals(64, PointLayout.HEADER_LENGTH);
        assertEquals(0, PointLayout.HEADER_MAGIC_OFFSET);
        assertEquals(8, PointLayout.HEADER_VERSION_OFFSET);
        assertEquals(10, PointLayout.HEADER_LENGTH_OFFSET);
        assertEquals(12, PointLayout.HEADER_BLOCK_SIZE_OFFSET);
        assertEquals(16, PointLayout.HEADER_VIRTUAL_SIZE_OFFSET);
        assertEquals(24, PointLayout.HEADER_BLOCK_COUNT_OFFSET);
        assertEquals(32, PointLayout.HEADER_MANIFEST_OFFSET_OFFSET);
        assertEquals(40, PointLayout.HEADER_MANIFEST_LENGTH_OFFSET);
        assertEquals(44, PointLayout.HEADER_FLAGS_OFFSET);
        assertEquals(48, PointLayout.HEADER_RESERVED_OFFSET);
        assertEquals(60, PointLayout.HEADER_CRC_OFFSET);
    }

    @Test
    void shouldMatchFormatTableWhenMapAndTrailerOffsetsRead() {
        assertEquals(16, PointLayout.MAP_ENTRY_LENGTH);
        assertEquals(32, PointLayout.TRAILER_LENGTH);
        assertEquals(0, PointLayout.TRAILER_MAP_CRC_OFFSET);
        assertEquals(4, PointLayout.TRAILER_MANIFEST_CRC_OFFSET);
        assertEquals(8, PointLayout.TRAILER_FILE_LENGTH_OFFSET);
        assertEquals(16, PointLayout.TRAILER_MAGIC_OFFSET);
        assertEquals(24, PointLayout.TRAILER_RESERVED_OFFSET);
        assertEquals(28, PointLayout.TRAILER_CRC_OFFSET);
        assertEquals(1_048_576, PointLayout.MAX_MANIFEST_LENGTH);
        assertEquals(".point", PointLayout.SUFFIX);
    }

    @Test
    void shouldComputeCeilingAndMapEndWhenBlockCountDerived() {
        assertEquals(0, PointLayout.blockCount(0, 65_536));
        assertEquals(1, PointLayout.blockCount(1, 65_536));
        assertEquals(1, PointLayout.blockCount(65_536, 65_536));
        assertEquals(2, PointLayout.blockCount(65_537, 65_536));
        assertEquals(64, PointLayout.manifestOffset(0));
        assertEquals(64 + 3 * 16, PointLayout.manifestOffset(3));
    }
}
