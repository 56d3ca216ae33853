package io.cairn.bench;

import io.cairn.engine.ring.OneToOneBlockRing;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * Block descriptors through a {@link OneToOneBlockRing}: offer on one thread, poll on another.
 * <ul>
 *   <li>{@code handoff} (a JMH {@code @Group}): one producer thread calls {@code offer} and one consumer thread
 *   calls {@code poll}, each once per op and without backing off, as the engine's stages do between idles. Read
 *   the {@code handoff:pollsMade} row: descriptors handed over per second. {@code offersFailed} counts offers that
 *   found the ring full, {@code pollsFailed} polls that found it empty; the group's primary score adds up all
 *   attempts of both threads and means little. On this 2-vCPU machine the two threads have the cores to themselves
 *   only while JMH's own thread sleeps.</li>
 *   <li>{@code offerThenPoll}: offer and poll of one descriptor on the same thread, the cost of the two calls
 *   without cache-line transfers.</li>
 * </ul>
 * A descriptor stands for a whole block (1 MiB by default), so block throughput through a stage boundary is
 * pollsMade * blockSize; the ring itself moves 32 bytes per descriptor (8-byte record header, 24-byte body).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_NIO_CH, JvmFlags.EXPORT_REF, JvmFlags.OPEN_REFLECT, JvmFlags.NO_CHRONICLE_ANALYTICS})
public class RingHandoffBenchmark {
    /** One ring per group: shared by producer and consumer in {@code handoff}, private in {@code offerThenPoll}. */
    @State(Scope.Group)
    public static class RingState {
        /** Ring capacity in bytes; BackupJob uses 4096 (128 descriptors). */
        @Param({"4096", "65536"})
        int capacityBytes;

        Arena arena;
        OneToOneBlockRing ring;

        /** Allocates the ring once. */
        @Setup
        public void setUp() {
            arena = Arena.ofShared();
            ring = new OneToOneBlockRing(arena, capacityBytes);
        }

        /** Frees the ring. */
        @TearDown
        public void tearDown() {
            arena.close();
        }
    }

    /** Producer-side counters (rates per second in the report). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class OfferCounters {
        /** Offers that published a descriptor. */
        public long offersMade;
        /** Offers that found the ring full. */
        public long offersFailed;

        /** JMH does not reset auxiliary counters by itself. */
        @Setup(Level.Iteration)
        public void reset() {
            offersMade = 0;
            offersFailed = 0;
        }
    }

    /** Consumer-side counters (rates per second in the report). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class PollCounters {
        /** Polls that took a descriptor: the handoff rate. */
        public long pollsMade;
        /** Polls that found the ring empty. */
        public long pollsFailed;

        /** JMH does not reset auxiliary counters by itself. */
        @Setup(Level.Iteration)
        public void reset() {
            pollsMade = 0;
            pollsFailed = 0;
        }
    }

    /** Producer: offers the next block descriptor once. */
    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public boolean offer(final RingState state, final OfferCounters counters) {
        final long blockNo = counters.offersMade;
        if (state.ring.offer(OneToOneBlockRing.BLOCK, (int) blockNo & 63, blockNo, 1)) {
            counters.offersMade++;
            return true;
        }
        counters.offersFailed++;
        return false;
    }

    /** Consumer: polls once. */
    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public long poll(final RingState state, final PollCounters counters) {
        final OneToOneBlockRing ring = state.ring;
        if (ring.poll()) {
            counters.pollsMade++;
            return ring.lastBlockNo();
        }
        counters.pollsFailed++;
        return -1;
    }

    /** One thread: offers a descriptor and polls it back (a group of one, so that it can use {@link RingState}). */
    @Benchmark
    @Group("offerThenPoll")
    @GroupThreads(1)
    public long offerThenPoll(final RingState state) {
        final OneToOneBlockRing ring = state.ring;
        if (!ring.offer(OneToOneBlockRing.BLOCK, 7, 42, 1) || !ring.poll()) {
            throw new IllegalStateException("offer then poll on an empty ring failed");
        }
        return ring.lastBlockNo();
    }
}
