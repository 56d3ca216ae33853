package io.cairn.nativeio;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlignedBuffersTest {
    @Test
    void shouldAlignAddressWhenAllocatingAnySize() {
        try (Arena arena = Arena.ofConfined()) {
            for (final long size : new long[]{1, 100, 4096, 5000, 1 << 20}) {
                arena.allocate(17); // disturb the allocator's next address
                final MemorySegment s = AlignedBuffers.allocate(arena, size);
                assertEquals(0, s.address() % AlignedBuffers.ALIGNMENT, "size " + size);
                assertEquals(size, s.byteSize());
            }
        }
    }

    @Test
    void shouldRoundToMultiplesOf4096WhenAligning() {
        assertEquals(0, AlignedBuffers.alignUp(0));
        assertEquals(4096, AlignedBuffers.alignUp(1));
        assertEquals(4096, AlignedBuffers.alignUp(4096));
        assertEquals(8192, AlignedBuffers.alignUp(4097));
        assertEquals(4096, AlignedBuffers.alignDown(8191));
        assertTrue(AlignedBuffers.isAligned(1L << 30));
        assertFalse(AlignedBuffers.isAligned(4095));
        assertThrows(IllegalArgumentException.class, () -> AlignedBuffers.alignUp(-1));
        assertThrows(IllegalArgumentException.class, () -> AlignedBuffers.alignUp(Long.MAX_VALUE));
    }
}
