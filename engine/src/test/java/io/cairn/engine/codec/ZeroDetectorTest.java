package io.cairn.engine.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZeroDetectorTest {
    private static final int BLOCK = 64 * 1024;

    @Test
    void shouldReportZeroWhenEveryByteIsZero() {
        try (Arena arena = Arena.ofConfined()) {
            final ZeroDetector zeros = new ZeroDetector(arena, BLOCK);
            assertTrue(zeros.isZero(arena.allocate(BLOCK, 4096), BLOCK));
        }
    }

    @ParameterizedTest(name = "non-zero byte at {0}")
    @ValueSource(ints = {0, 1, 7, 8, 4095, 4096, BLOCK / 2 + 3, BLOCK - 1})
    void shouldReportNonZeroWhenOneByteIsSet(final int index) {
        try (Arena arena = Arena.ofConfined()) {
            final ZeroDetector zeros = new ZeroDetector(arena, BLOCK);
            final MemorySegment block = arena.allocate(BLOCK, 4096);
            block.set(ValueLayout.JAVA_BYTE, index, (byte) 0x80);
            assertFalse(zeros.isZero(block, BLOCK));
        }
    }

    @Test
    void shouldLookOnlyAtTheGivenLengthWhenBufferIsLonger() {
        try (Arena arena = Arena.ofConfined()) {
            final ZeroDetector zeros = new ZeroDetector(arena, BLOCK);
            final MemorySegment block = arena.allocate(BLOCK, 4096);
            block.set(ValueLayout.JAVA_BYTE, 1000, (byte) 1);
            assertTrue(zeros.isZero(block, 1000), "byte 1000 is past a 1000-byte block");
            assertFalse(zeros.isZero(block, 1001));
            assertTrue(zeros.isZero(block, 0));
        }
    }

    @Test
    void shouldRejectLengthWhenItExceedsTheMaximum() {
        try (Arena arena = Arena.ofConfined()) {
            final ZeroDetector zeros = new ZeroDetector(arena, 4096);
            final MemorySegment block = arena.allocate(8192, 4096);
            assertThrows(IndexOutOfBoundsException.class, () -> zeros.isZero(block, 8192));
        }
    }

    @Test
    void shouldHandOutZeroSegmentWhenAskedForZeros() {
        try (Arena arena = Arena.ofConfined()) {
            final ZeroDetector zeros = new ZeroDetector(arena, BLOCK);
            assertEquals(BLOCK, zeros.zeros().byteSize());
            assertEquals(-1, zeros.zeros().mismatch(arena.allocate(BLOCK)));
            assertEquals(0, zeros.zeros().address() % 4096, "aligned for O_DIRECT writes");
        }
    }
}
