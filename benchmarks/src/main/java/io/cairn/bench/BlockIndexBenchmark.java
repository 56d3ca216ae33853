package io.cairn.bench;

import io.cairn.format.index.BlockIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@link BlockIndex} (the dedup index) lookups and inserts at 1M and 10M entries. One op is one call; the ops/s
 * score is the rate (no bytes: each call decides the fate of one block, so ops/s * blockSize is the block rate
 * the index alone could sustain).
 * <p>
 * Ids are {@code (mix(i), mix(~i))} with the SplitMix64 finaliser, i.e. uniform like real XXH3 digests and
 * computable instead of stored, so the only memory traffic is the table's. The index is presized
 * ({@code new BlockIndex(entries)}: 75% full), 24 bytes per slot: 32 MB at 1M, 320 MB at 10M, both larger than
 * the caches, so nearly every call misses them.
 * <ul>
 *   <li>{@code getHit}, {@code getMiss}: lookups of present ids and of ids never inserted.</li>
 *   <li>{@code putIfAbsentPresent}: the id is present (a deduplicated block, the common case of an incremental
 *   backup); nothing is written.</li>
 *   <li>{@code putIfAbsentNew}: inserts a new id each call into an index rebuilt with {@code entries} entries
 *   before each iteration. The index keeps growing during the iteration (it rehashes to 1.5x at 85% load), so this
 *   is the amortised cost of a growing session index, rehashes included, starting from {@code entries}; its
 *   result depends somewhat on the iteration time. The rebuild is outside the measurement.</li>
 * </ul>
 * Memory: the 10M case holds ~320 MB off-heap, and putIfAbsentNew grows to a few times that during a rehash.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_NIO_CH, JvmFlags.EXPORT_REF, JvmFlags.OPEN_REFLECT, JvmFlags.NO_CHRONICLE_ANALYTICS})
public class BlockIndexBenchmark {
    /** Sets the bit that no inserted i has, so that a miss id differs from every inserted one. */
    private static final long MISS_BIT = 1L << 62;

    /** An index filled once with ids 0..entries-1, for lookups and present-id inserts. */
    @State(Scope.Thread)
    public static class FilledIndex {
        @Param({"1000000", "10000000"})
        long entries;

        BlockIndex index;
        long cursor;

        /** Builds and fills the index once. */
        @Setup
        public void setUp() {
            index = filled(entries);
        }

        /** Frees the index. */
        @TearDown
        public void tearDown() {
            index.close();
        }

        /** The next present i, cycling over all of them; the hashed slots come in random order. */
        long next() {
            final long i = cursor;
            cursor = i + 1 == entries ? 0 : i + 1;
            return i;
        }
    }

    /** An index rebuilt with ids 0..entries-1 before every iteration, into which new ids go. */
    @State(Scope.Thread)
    public static class GrowingIndex {
        @Param({"1000000", "10000000"})
        long entries;

        BlockIndex index;
        long nextNew;

        /** Rebuilds the index (outside the measurement). */
        @Setup(Level.Iteration)
        public void setUp() {
            index = filled(entries);
            nextNew = entries;
        }

        /** Frees this iteration's index. */
        @TearDown(Level.Iteration)
        public void tearDown() {
            index.close();
        }
    }

    /** Looks up a present id. */
    @Benchmark
    public long getHit(final FilledIndex state) {
        final long i = state.next();
        return state.index.get(idHi(i), idLo(i));
    }

    /** Looks up an id that was never inserted. */
    @Benchmark
    public long getMiss(final FilledIndex state) {
        final long i = state.next() | MISS_BIT;
        return state.index.get(idHi(i), idLo(i));
    }

    /** putIfAbsent of a present id: returns false and writes nothing. */
    @Benchmark
    public boolean putIfAbsentPresent(final FilledIndex state) {
        final long i = state.next();
        return state.index.putIfAbsent(idHi(i), idLo(i), location(i));
    }

    /** putIfAbsent of a new id: inserts it. */
    @Benchmark
    public boolean putIfAbsentNew(final GrowingIndex state) {
        final long i = state.nextNew++;
        return state.index.putIfAbsent(idHi(i), idLo(i), location(i));
    }

    static BlockIndex filled(final long entries) {
        final BlockIndex index = new BlockIndex(entries);
        for (long i = 0; i < entries; i++) {
            index.putIfAbsent(idHi(i), idLo(i), location(i));
        }
        if (index.size() != entries) {
            throw new IllegalStateException("index holds " + index.size() + " entries, expected " + entries);
        }
        return index;
    }

    static long idHi(final long i) {
        return mix(i);
    }

    static long idLo(final long i) {
        return mix(~i);
    }

    /** Any non-zero value will do: 0 is BlockLocation.EMPTY. */
    static long location(final long i) {
        return i + 1;
    }

    /** SplitMix64's finaliser: a bijection, so distinct i give distinct ids. */
    static long mix(final long i) {
        long z = i * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
