package io.cairn.format.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.ConcurrentModificationException;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

class BlockIndexTest {
    private static final int MILLION = 1_000_000;
    private static final long SEED = 0x5EED_CA12_0001L;
    /** Bytes per entry just after a rehash: 1.5x the slots for 85% of the old capacity (24 * 1.5 / 0.85 = 42.35). */
    private static final double GROWN_MAX_BYTES_PER_ENTRY = BlockIndex.SLOT_BYTES * 1.5 / BlockIndex.MAX_LOAD_FACTOR;
    /** Bytes per entry just before a rehash (24 / 0.85 = 28.24). */
    private static final double GROWN_MIN_BYTES_PER_ENTRY = BlockIndex.SLOT_BYTES / BlockIndex.MAX_LOAD_FACTOR;

    static long location(final long i) {
        return BlockLocation.pack((int) (i & BlockLocation.MAX_PACK_ORDINAL), 4096 + i);
    }

    @Test
    void shouldReturnEveryLocationWhenMillionRandomIdsInsertedFromTinyPresize() {
        try (BlockIndex index = new BlockIndex(1)) {
            final long initialCapacity = index.capacity();
            SplittableRandom random = new SplittableRandom(SEED);
            for (int i = 0; i < MILLION; i++) {
                assertTrue(index.putIfAbsent(random.nextLong(), random.nextLong(), location(i)));
            }
            assertEquals(MILLION, index.size());
            assertTrue(index.capacity() > initialCapacity, "grew");

            random = new SplittableRandom(SEED);
            for (int i = 0; i < MILLION; i++) {
                final long hi = random.nextLong();
                final long lo = random.nextLong();
                assertEquals(location(i), index.get(hi, lo));
                assertTrue(index.contains(hi, lo));
            }
            index.checkInvariants();
        }
    }

    @Test
    void shouldReturnEmptyWhenMillionAbsentIdsLookedUp() {
        try (BlockIndex index = new BlockIndex(MILLION)) {
            final SplittableRandom present = new SplittableRandom(SEED);
            for (int i = 0; i < MILLION; i++) {
                index.put(present.nextLong(), present.nextLong(), location(i));
            }
            final SplittableRandom absent = new SplittableRandom(SEED + 1);
            for (int i = 0; i < MILLION; i++) {
                final long hi = absent.nextLong();
                final long lo = absent.nextLong();
                assertEquals(BlockLocation.EMPTY, index.get(hi, lo));
                assertFalse(index.contains(hi, lo));
            }
            assertEquals(MILLION, index.size());
        }
    }

    @Test
    void shouldKeepFirstLocationWhenPutIfAbsentRepeats() {
        try (BlockIndex index = new BlockIndex(0)) {
            assertTrue(index.putIfAbsent(1, 2, location(10)));
            assertFalse(index.putIfAbsent(1, 2, location(20)));
            assertEquals(location(10), index.get(1, 2));
            assertEquals(1, index.size());
        }
    }

    @Test
    void shouldReplaceAndReturnPreviousWhenPutRepeats() {
        try (BlockIndex index = new BlockIndex(0)) {
            assertEquals(BlockLocation.EMPTY, index.put(1, 2, location(10)));
            assertEquals(location(10), index.put(1, 2, location(20)));
            assertEquals(location(20), index.get(1, 2));
            assertEquals(1, index.size());
        }
    }

    @Test
    void shouldStoreAllZeroIdWhenUsedAsKey() {
        try (BlockIndex index = new BlockIndex(0)) {
            assertEquals(BlockLocation.EMPTY, index.get(0, 0));
            assertTrue(index.putIfAbsent(0, 0, location(1)));
            assertEquals(location(1), index.get(0, 0));
            assertEquals(BlockLocation.EMPTY, index.get(0, 1));
        }
    }

    @Test
    void shouldStayWithinGrowthBoundsWhenGrownFromTinyPresize() {
        try (BlockIndex index = new BlockIndex(0)) {
            final SplittableRandom random = new SplittableRandom(SEED);
            final long firstCapacity = index.capacity();
            double max = 0;
            double min = Double.MAX_VALUE;
            for (int i = 1; i <= MILLION; i++) {
                index.putIfAbsent(random.nextLong(), random.nextLong(), location(i));
                if (index.capacity() > firstCapacity) {
                    final double bytesPerEntry = (double) index.memoryBytes() / index.size();
                    max = Math.max(max, bytesPerEntry);
                    min = Math.min(min, bytesPerEntry);
                }
            }
            final double atMillion = (double) index.memoryBytes() / index.size();
            System.out.printf("grown: %.2f bytes/entry at 1M (capacity %d); range %.2f-%.2f; max probe %d%n",
                    atMillion, index.capacity(), min, max, index.checkInvariants());
            assertTrue(max <= GROWN_MAX_BYTES_PER_ENTRY + 1e-9, "max bytes/entry " + max);
            assertTrue(min >= GROWN_MIN_BYTES_PER_ENTRY - 1e-9, "min bytes/entry " + min);
            assertTrue(atMillion <= 42, "bytes/entry at 1M " + atMillion);
            assertEquals(index.capacity() * BlockIndex.SLOT_BYTES, index.memoryBytes());
        }
    }

    @Test
    void shouldStayNearThirtyTwoBytesPerEntryWhenPresized() {
        try (BlockIndex index = new BlockIndex(MILLION)) {
            final long capacity = index.capacity();
            final SplittableRandom random = new SplittableRandom(SEED);
            for (int i = 0; i < MILLION; i++) {
                index.putIfAbsent(random.nextLong(), random.nextLong(), location(i));
            }
            final double bytesPerEntry = (double) index.memoryBytes() / index.size();
            System.out.printf("presized: %.3f bytes/entry at 1M (capacity %d); max probe %d%n",
                    bytesPerEntry, index.capacity(), index.checkInvariants());
            assertEquals(capacity, index.capacity(), "no growth when presized");
            assertTrue(bytesPerEntry >= 32.0 && bytesPerEntry <= 32.01, "bytes/entry " + bytesPerEntry);
        }
    }

    @Test
    void shouldUseMinimumCapacityWhenPresizedSmall() {
        try (BlockIndex index = new BlockIndex(0)) {
            assertEquals(BlockIndex.MIN_CAPACITY, index.capacity());
            assertEquals(BlockIndex.MIN_CAPACITY * BlockIndex.SLOT_BYTES, index.memoryBytes());
            assertEquals(0, index.size());
        }
        try (BlockIndex index = new BlockIndex(3000)) {
            assertEquals(4000, index.capacity());
        }
    }

    @Test
    void shouldRejectWhenExpectedEntriesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new BlockIndex(-1));
        assertThrows(IllegalArgumentException.class, () -> new BlockIndex(Long.MAX_VALUE));
    }

    @Test
    void shouldRejectWhenLocationEmpty() {
        try (BlockIndex index = new BlockIndex(0)) {
            assertThrows(IllegalArgumentException.class, () -> index.put(1, 2, BlockLocation.EMPTY));
            assertThrows(IllegalArgumentException.class, () -> index.putIfAbsent(1, 2, BlockLocation.EMPTY));
            assertEquals(0, index.size());
        }
    }

    @Test
    void shouldVisitEachEntryOnceWhenForEach() {
        final int count = 200_000;
        final long[] his = new long[count];
        final long[] los = new long[count];
        final SplittableRandom random = new SplittableRandom(SEED);
        try (BlockIndex index = new BlockIndex(16)) {
            for (int i = 0; i < count; i++) {
                his[i] = random.nextLong();
                los[i] = random.nextLong();
                index.putIfAbsent(his[i], los[i], i + 1);
            }
            final BitSet seen = new BitSet(count);
            index.forEach((hi, lo, location) -> {
                final int i = (int) location - 1;
                assertFalse(seen.get(i), "visited twice");
                assertEquals(his[i], hi);
                assertEquals(los[i], lo);
                seen.set(i);
            });
            assertEquals(count, seen.cardinality());
        }
    }

    @Test
    void shouldAllowReplacingWhenVisitorPutsPresentIds() {
        try (BlockIndex index = new BlockIndex(0)) {
            for (int i = 1; i <= 500; i++) {
                index.put(i, -i, location(i));
            }
            index.forEach((hi, lo, location) -> index.put(hi, lo, location(hi + 1000)));
            for (int i = 1; i <= 500; i++) {
                assertEquals(location(i + 1000), index.get(i, -i));
            }
        }
    }

    @Test
    void shouldThrowConcurrentModificationWhenVisitorInserts() {
        try (BlockIndex index = new BlockIndex(0)) {
            index.put(1, 1, location(1));
            assertThrows(ConcurrentModificationException.class,
                    () -> index.forEach((hi, lo, location) -> index.put(hi + 1, lo, location)));
        }
    }

    @Test
    void shouldFindIdsWhenTheyDifferOnlyInIdHi() {
        assertClusteredIdsWork(i -> i, i -> 0x1234_5678_9ABC_DEF0L);
        assertClusteredIdsWork(i -> i << 40, i -> 0);
    }

    @Test
    void shouldFindIdsWhenTheyDifferOnlyInIdLo() {
        assertClusteredIdsWork(i -> 0x0FED_CBA9_8765_4321L, i -> i);
        assertClusteredIdsWork(i -> 0, i -> i << 40);
    }

    @Test
    void shouldFindIdsWhenBothHalvesAreEqualCounters() {
        assertClusteredIdsWork(i -> i, i -> i);
    }

    private static void assertClusteredIdsWork(final LongUnaryOperator hiOf, final LongUnaryOperator loOf) {
        final int count = 300_000;
        try (BlockIndex index = new BlockIndex(0)) {
            for (long i = 0; i < count; i++) {
                assertTrue(index.putIfAbsent(hiOf.applyAsLong(i), loOf.applyAsLong(i), location(i)));
                if ((i & 4095) == 4095) { // fail fast: a hash that ignores one half would go quadratic here
                    assertProbesShort(index);
                }
            }
            for (long i = 0; i < count; i++) {
                assertEquals(location(i), index.get(hiOf.applyAsLong(i), loOf.applyAsLong(i)));
            }
            assertEquals(BlockLocation.EMPTY, index.get(hiOf.applyAsLong(count), loOf.applyAsLong(count)));
            assertProbesShort(index);
        }
    }

    private static void assertProbesShort(final BlockIndex index) {
        final long maxProbe = index.checkInvariants();
        assertTrue(maxProbe < 256, "ids pile up: max probe distance " + maxProbe + " at size " + index.size());
    }

    @Test
    void shouldFindEntriesWhenRunsWrapAroundTheTableEnd() {
        try (BlockIndex index = new BlockIndex(0)) {
            final long capacity = index.capacity();
            final long[][] lastHome = idsWithHome(capacity - 1, capacity, 5);
            final long[][] secondLastHome = idsWithHome(capacity - 2, capacity, 3);
            final long[][] firstHome = idsWithHome(0, capacity, 3);
            int n = 0;
            for (int i = 0; i < 3; i++) { // slots capacity-1, 0, 1
                assertTrue(index.putIfAbsent(lastHome[i][0], lastHome[i][1], location(n++)));
            }
            for (int i = 0; i < 3; i++) { // after the wrapped ones: 2, 3, 4
                assertTrue(index.putIfAbsent(firstHome[i][0], firstHome[i][1], location(n++)));
            }
            index.checkInvariants();
            for (int i = 3; i < 5; i++) { // shifts the home-0 run forward
                assertTrue(index.putIfAbsent(lastHome[i][0], lastHome[i][1], location(n++)));
            }
            index.checkInvariants();
            for (int i = 0; i < 3; i++) { // first at capacity-2, then each shifts a run that wraps around
                assertTrue(index.putIfAbsent(secondLastHome[i][0], secondLastHome[i][1], location(n++)));
                index.checkInvariants();
            }
            n = 0;
            for (int i = 0; i < 3; i++) {
                assertEquals(location(n++), index.get(lastHome[i][0], lastHome[i][1]));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(location(n++), index.get(firstHome[i][0], firstHome[i][1]));
            }
            for (int i = 3; i < 5; i++) {
                assertEquals(location(n++), index.get(lastHome[i][0], lastHome[i][1]));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(location(n++), index.get(secondLastHome[i][0], secondLastHome[i][1]));
            }
            assertEquals(n, index.size());
            final long[][] absent = idsWithHome(capacity - 1, capacity, 8);
            assertEquals(BlockLocation.EMPTY, index.get(absent[7][0], absent[7][1]));
        }
    }

    private static long[][] idsWithHome(final long home, final long capacity, final int count) {
        final SplittableRandom random = new SplittableRandom(home);
        final long[][] ids = new long[count][];
        for (int found = 0; found < count; ) {
            final long hi = random.nextLong();
            final long lo = random.nextLong();
            if (BlockIndex.homeIndex(BlockIndex.hash(hi, lo), capacity) == home) {
                ids[found++] = new long[] {hi, lo};
            }
        }
        return ids;
    }

    @Test
    void shouldAllowCloseTwiceWhenClosed() {
        final BlockIndex index = new BlockIndex(0);
        index.put(1, 2, location(1));
        index.close();
        index.close();
    }

    @Test
    void shouldThrowIllegalStateWhenUsedAfterClose() {
        final BlockIndex index = new BlockIndex(0);
        index.put(1, 2, location(1));
        index.close();
        assertThrows(IllegalStateException.class, () -> index.get(1, 2));
        assertThrows(IllegalStateException.class, () -> index.contains(1, 2));
        assertThrows(IllegalStateException.class, () -> index.put(3, 4, location(2)));
        assertThrows(IllegalStateException.class, () -> index.putIfAbsent(3, 4, location(2)));
        assertThrows(IllegalStateException.class, () -> index.forEach((hi, lo, location) -> { }));
        assertThrows(IllegalStateException.class, index::size);
        assertThrows(IllegalStateException.class, index::capacity);
        assertThrows(IllegalStateException.class, index::memoryBytes);
    }
}
