package io.cairn.nativeio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pread and writeFully must not allocate per call once warmed up (house style §5). */
class AllocationTest {
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 10_000;

    @TempDir
    Path dir;

    @Test
    void shouldNotAllocateWhenReadingAndWritingAfterWarmUp() throws IOException {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined();
             LinuxFile file = LinuxFile.openWrite(dir.resolve("alloc"), true, true)) {
            final MemorySegment buffer = AlignedBuffers.allocate(arena, 4096);
            file.writeFully(buffer, 4096, 0);
            long sink = loop(file, buffer, WARM_UP);
            // JIT warm-up on a loaded host only ever adds bytes: the least of three measurements is the steady state
            long allocated = Long.MAX_VALUE;
            int attempts = 0;
            for (; attempts < 3 && allocated >= MEASURED; attempts++) {
                final long before = threads.getCurrentThreadAllocatedBytes();
                sink += loop(file, buffer, MEASURED);
                allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertEquals((long) (WARM_UP + attempts * MEASURED) * 4096, sink);
            assertTrue(allocated < MEASURED, allocated + " bytes allocated over " + MEASURED + " pread+pwrite pairs");
        }
    }

    private static long loop(final LinuxFile file, final MemorySegment buffer, final int calls) throws IOException {
        long total = 0;
        for (int i = 0; i < calls; i++) {
            total += file.pread(buffer, 4096, 0);
            file.writeFully(buffer, 4096, 0);
        }
        return total;
    }
}
