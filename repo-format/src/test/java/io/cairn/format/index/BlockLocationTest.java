package io.cairn.format.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockLocationTest {
    @Test
    void shouldRoundTripWhenValuesAtTheEdgesOfTheirRanges() {
        final int[] ordinals = {0, 1, 2, BlockLocation.MAX_PACK_ORDINAL - 1, BlockLocation.MAX_PACK_ORDINAL};
        final long[] offsets = {1, 2, 4096, (1L << 32) + 7, BlockLocation.MAX_OFFSET - 1, BlockLocation.MAX_OFFSET};
        for (final int ordinal : ordinals) {
            for (final long offset : offsets) {
                final long location = BlockLocation.pack(ordinal, offset);
                assertNotEquals(BlockLocation.EMPTY, location);
                assertEquals(ordinal, BlockLocation.packOrdinal(location));
                assertEquals(offset, BlockLocation.recordOffset(location));
            }
        }
    }

    @Test
    void shouldRoundTripWhenValuesRandom() {
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            final int ordinal = random.nextInt(BlockLocation.MAX_PACK_ORDINAL + 1);
            final long offset = random.nextLong(1, BlockLocation.MAX_OFFSET + 1);
            final long location = BlockLocation.pack(ordinal, offset);
            assertEquals(ordinal, BlockLocation.packOrdinal(location));
            assertEquals(offset, BlockLocation.recordOffset(location));
        }
    }

    @Test
    void shouldPutOrdinalInTopBitsWhenPacked() {
        assertEquals(0x0000_0100_0000_1000L, BlockLocation.pack(1, 0x1000));
        assertEquals(0xFFFF_FF00_0000_0001L, BlockLocation.pack(BlockLocation.MAX_PACK_ORDINAL, 1));
        assertEquals(0x0000_00FF_FFFF_FFFFL, BlockLocation.pack(0, BlockLocation.MAX_OFFSET));
    }

    @Test
    void shouldRejectWhenOrdinalOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> BlockLocation.pack(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> BlockLocation.pack(BlockLocation.MAX_PACK_ORDINAL + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> BlockLocation.pack(Integer.MIN_VALUE, 1));
    }

    @Test
    void shouldRejectWhenOffsetOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> BlockLocation.pack(0, -1));
        assertThrows(IllegalArgumentException.class, () -> BlockLocation.pack(0, BlockLocation.MAX_OFFSET + 1));
        assertThrows(IllegalArgumentException.class, () -> BlockLocation.pack(0, Long.MIN_VALUE));
    }

    @Test
    void shouldRejectWhenOffsetIsThePackHeader() {
        assertThrows(IllegalArgumentException.class, () -> BlockLocation.pack(0, 0));
        assertThrows(IllegalArgumentException.class, () -> BlockLocation.pack(7, 0));
    }

    @Test
    void shouldDescribeWhenFormatted() {
        assertEquals("empty", BlockLocation.toString(BlockLocation.EMPTY));
        assertEquals("pack#3@0x1000", BlockLocation.toString(BlockLocation.pack(3, 0x1000)));
    }
}
