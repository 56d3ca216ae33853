package io.cairn.engine.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

/**
 * Brings the native {@link BlockHasher#hash} to its steady state and measures what it then allocates; run in a
 * fresh JVM by BlockHasherNativeTest.
 * <p>
 * {@code XXH3_128bits} returns its 16-byte struct in registers, and the FFM linker copies it out through a
 * per-call return buffer (a bounded arena: 330-400 B of small objects). Only when C2 has compiled the call path
 * does escape analysis remove them; before that (tens to hundreds of thousands of calls on a loaded host) every
 * call pays them.
 */
public final class BlockHasherWarmUp {
    /** Rounds of {@link #CALLS_PER_ROUND} short hashes; C2 finishes after 10-150 on the 2-core build host. */
    private static final int MAX_ROUNDS = 1_000;
    private static final int CALLS_PER_ROUND = 3_000;
    private static final int MEASURED = 100;

    private BlockHasherWarmUp() {
    }

    /**
     * Hashes 4 KiB blocks (the same Java code as any length) with {@code hasher} until {@value #MEASURED} hashes
     * of {@code measuredLength} bytes allocate less than one byte each, or {@value #MAX_ROUNDS} rounds have run.
     *
     * @return the least bytes allocated by {@value #MEASURED} hashes of {@code measuredLength} bytes
     */
    static long untilAllocationFree(final BlockHasher hasher, final int measuredLength, final boolean shared) {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // a call site that has seen segments of both confined and shared arenas keeps 32 B per call after C2
        // (measured; with one kind it allocates nothing), hence a fresh JVM per kind
        try (Arena arena = shared ? Arena.ofShared() : Arena.ofConfined()) {
            final MemorySegment block = arena.allocate(Math.max(measuredLength, 4096), 4096);
            long sink = 0;
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < MAX_ROUNDS && allocated >= MEASURED; round++) {
                sink += loop(hasher, block, 4096, CALLS_PER_ROUND);
                final long before = threads.getCurrentThreadAllocatedBytes();
                sink += loop(hasher, block, measuredLength, MEASURED);
                allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
            }
            if (sink == 42) {
                System.out.println("(keeps the hashes from being optimised away)");
            }
            return allocated;
        }
    }

    /**
     * Run by BlockHasherNativeTest in a fresh JVM, whose call sites have seen no other arena kind: warms up the
     * native hasher on segments of {@code args[0]} ("shared" or "confined") and prints the least bytes allocated
     * by {@value #MEASURED} hashes of 1 MiB.
     */
    public static void main(final String[] args) {
        final boolean shared = args[0].equals("shared");
        System.out.println("allocated=" + untilAllocationFree(new BlockHasher(true), 1 << 20, shared)
            + " calls=" + MEASURED);
    }

    private static long loop(final BlockHasher hasher, final MemorySegment block, final int length,
                             final int calls) {
        long sink = 0;
        for (int i = 0; i < calls; i++) {
            hasher.hash(block, length);
            sink += hasher.hi() ^ hasher.lo();
        }
        return sink;
    }
}
