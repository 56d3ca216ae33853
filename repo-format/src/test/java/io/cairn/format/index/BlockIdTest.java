package io.cairn.format.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockIdTest {
    private static final String CANONICAL_HEX = "000102030405060708090a0b0c0d0e0f";

    @Test
    void shouldReadHalvesBigEndianWhenCanonicalBytesGiven() {
        final byte[] bytes = new byte[3 + BlockId.LENGTH_BYTES];
        System.arraycopy(HexFormat.of().parseHex(CANONICAL_HEX), 0, bytes, 3, BlockId.LENGTH_BYTES);
        final MemorySegment segment = MemorySegment.ofArray(bytes);

        assertEquals(0x0001_0203_0405_0607L, BlockId.hi(segment, 3));
        assertEquals(0x0809_0A0B_0C0D_0E0FL, BlockId.lo(segment, 3));
    }

    @Test
    void shouldWriteCanonicalBytesWhenWritten() {
        final byte[] bytes = new byte[BlockId.LENGTH_BYTES + 5];
        BlockId.write(MemorySegment.ofArray(bytes), 5, 0x0001_0203_0405_0607L, 0x0809_0A0B_0C0D_0E0FL);

        assertEquals("0000000000" + CANONICAL_HEX, HexFormat.of().formatHex(bytes));
    }

    @Test
    void shouldFormatHexOfCanonicalBytesWhenToHex() {
        assertEquals(CANONICAL_HEX, BlockId.toHex(0x0001_0203_0405_0607L, 0x0809_0A0B_0C0D_0E0FL));
        assertEquals("ffffffffffffffff0000000000000001", BlockId.toHex(-1L, 1L));
    }

    @Test
    void shouldRoundTripWhenHexParsed() {
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            final long hi = random.nextLong();
            final long lo = random.nextLong();
            final String hex = BlockId.toHex(hi, lo);
            assertEquals(BlockId.HEX_LENGTH, hex.length());
            assertArrayEquals(new long[] {hi, lo}, BlockId.parseHex(hex));
            assertArrayEquals(new long[] {hi, lo}, BlockId.parseHex(hex.toUpperCase()));
        }
    }

    @Test
    void shouldRejectWhenHexMalformed() {
        assertThrows(IllegalArgumentException.class, () -> BlockId.parseHex(""));
        assertThrows(IllegalArgumentException.class, () -> BlockId.parseHex(CANONICAL_HEX + "0"));
        assertThrows(IllegalArgumentException.class, () -> BlockId.parseHex(CANONICAL_HEX.substring(1)));
        assertThrows(IllegalArgumentException.class, () -> BlockId.parseHex("+" + CANONICAL_HEX.substring(1)));
        assertThrows(IllegalArgumentException.class, () -> BlockId.parseHex(CANONICAL_HEX.replace('f', 'g')));
        assertThrows(IllegalArgumentException.class, () -> BlockId.parseHex(CANONICAL_HEX.replace('0', '\uff10')));
    }

    @Test
    void shouldBeZeroOnlyWhenBothHalvesZero() {
        assertTrue(BlockId.isZero(0, 0));
        assertFalse(BlockId.isZero(1, 0));
        assertFalse(BlockId.isZero(0, 1));
        assertFalse(BlockId.isZero(Long.MIN_VALUE, 0));
        assertArrayEquals(new long[] {0, 0}, BlockId.parseHex("0".repeat(BlockId.HEX_LENGTH)));
    }
}
