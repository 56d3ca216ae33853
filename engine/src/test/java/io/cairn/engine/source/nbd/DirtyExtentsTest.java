package io.cairn.engine.source.nbd;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirtyExtentsTest {
    private static final long K = 1024;

    @Test
    void shouldMergeAndSortRunsWhenBuiltFromPairs() {
        final DirtyExtents d = DirtyExtents.of(1024 * K, 512 * K, 576 * K, 0, 64 * K, 64 * K, 128 * K);
        assertEquals("DirtyExtents[[0, 131072) [524288, 589824)]", d.toString());
        assertEquals(192 * K, d.dirtyBytes());
    }

    @Test
    void shouldWalkLikeNextDataAndNextHoleWhenQueried() {
        final DirtyExtents d = DirtyExtents.of(1024 * K, 128 * K, 192 * K, 512 * K, 520 * K);
        assertEquals(128 * K, d.nextDirty(0));
        assertEquals(130 * K, d.nextDirty(130 * K));
        assertEquals(192 * K, d.dirtyEnd(130 * K));
        assertEquals(200 * K, d.dirtyEnd(200 * K));
        assertEquals(512 * K, d.nextDirty(192 * K));
        assertEquals(-1, d.nextDirty(520 * K));
        assertTrue(d.isDirty(0, 129 * K));
        assertFalse(d.isDirty(192 * K, 512 * K));
    }

    @Test
    void shouldWidenToWholeBlocksWhenAligned() {
        final DirtyExtents d = DirtyExtents.of(1000 * K, 100 * K, 101 * K, 990 * K, 1000 * K).alignedTo(256 * (int) K);
        assertEquals("DirtyExtents[[0, 262144) [786432, 1024000)]", d.toString());
    }
}
