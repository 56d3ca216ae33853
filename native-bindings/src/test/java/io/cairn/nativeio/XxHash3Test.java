package io.cairn.nativeio;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * XXH3-128 through libxxhash: reference vectors (from {@code xxhsum -H2}, xxHash 0.8.1, canonical form = high64
 * then low64), argument checks, and no allocation per call. Equality with the Java implementation over every code
 * path is the engine's {@code BlockHasherNativeTest}.
 */
class XxHash3Test {
    /** Calls until C2 compiles the downcall path (the interpreter and C1 allocate about 400 B per call). */
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 1_000;
    private static final int MIB = 1 << 20;

    @BeforeAll
    static void libraryInstalled() {
        // Debian installs it here (package libxxhash0; .ci/run installs it). Where it is installed it must work.
        final boolean installed = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libxxhash.so.0"))
            || Files.exists(Path.of("/lib/x86_64-linux-gnu/libxxhash.so.0"));
        assumeTrue(installed, "needs libxxhash.so.0 (Debian package libxxhash0)");
        assertTrue(XxHash3.available(), XxHash3.unavailableReason());
    }

    @Test
    void shouldReportVersionAndNoReasonWhenAvailable() {
        assertEquals("", XxHash3.unavailableReason());
        assertTrue(XxHash3.libraryVersion().matches("0\\.8\\.\\d+|\\d+\\.\\d+\\.\\d+"), XxHash3.libraryVersion());
        assertFalse(XxHash3.libraryVersion().startsWith("0.7"), XxHash3.libraryVersion());
    }

    @Test
    void shouldMatchReferenceVectorWhenInputIsEmpty() {
        try (Arena arena = Arena.ofConfined()) {
            final XxHash3 h = new XxHash3();
            h.hash128(arena.allocate(16), 0);
            assertEquals("99aa06d3014798d86001c324468d497f", canonical(h));
        }
    }

    @Test
    void shouldMatchReferenceVectorWhenInputIsAbc() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(3);
            s.set(JAVA_BYTE, 0, (byte) 'a');
            s.set(JAVA_BYTE, 1, (byte) 'b');
            s.set(JAVA_BYTE, 2, (byte) 'c');
            final XxHash3 h = new XxHash3();
            h.hash128(s, 3);
            assertEquals("06b05ab6733a618578af5f94892f3950", canonical(h));
        }
    }

    @Test
    void shouldMatchReferenceVectorWhenInputIsOneMebibyteOfPattern() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = pattern(arena, MIB);
            final XxHash3 h = new XxHash3();
            h.hash128(s, MIB);
            assertEquals("7af56fb6c12ca0e9c82228703712868f", canonical(h));
        }
    }

    @Test
    void shouldHashFromTheSliceStartWhenSegmentIsASliceAtAnOddOffset() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(4 + 1024 + 7, 64);
            s.fill((byte) 0x5a); // bytes around the slice must not take part
            final MemorySegment slice = s.asSlice(3, 1024);
            for (int i = 0; i < 1024; i++) {
                slice.set(JAVA_BYTE, i, (byte) (i * 31 + (i >> 8) * 7 + 1));
            }
            final XxHash3 h = new XxHash3();
            h.hash128(slice, 1024);
            assertEquals("b969a5b740955188378dd4537ffb8737", canonical(h));
        }
    }

    @Test
    void shouldRejectHeapSegmentWhenHashing() {
        final XxHash3 h = new XxHash3();
        assertThrows(IllegalArgumentException.class, () -> h.hash128(MemorySegment.ofArray(new byte[16]), 16));
    }

    @Test
    void shouldRejectLengthWhenItRunsPastTheSegment() {
        try (Arena arena = Arena.ofConfined()) {
            final XxHash3 h = new XxHash3();
            final MemorySegment s = arena.allocate(16);
            assertThrows(IndexOutOfBoundsException.class, () -> h.hash128(s, 17));
            assertThrows(IndexOutOfBoundsException.class, () -> h.hash128(s, -1));
        }
    }

    @Test
    void shouldRejectSegmentWhenItsArenaIsClosed() {
        final Arena arena = Arena.ofConfined();
        final MemorySegment s = arena.allocate(64);
        arena.close();
        final XxHash3 h = new XxHash3();
        assertThrows(IllegalStateException.class, () -> h.hash128(s, 64));
    }

    @Test
    void shouldNotAllocateWhenHashingAfterWarmUp() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment block = pattern(arena, MIB);
            final XxHash3 h = new XxHash3();
            long sink = loop(h, block, 4096, WARM_UP); // the same Java code as 1 MiB, in a fraction of the time
            // JIT warm-up on a loaded host only ever adds bytes: the least of three measurements is the steady state
            long allocated = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 3 && allocated >= MEASURED; attempt++) {
                final long before = threads.getCurrentThreadAllocatedBytes();
                sink ^= loop(h, block, MIB, MEASURED);
                allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertEquals(0x7af56fb6c12ca0e9L ^ 0xc82228703712868fL, h.high64() ^ h.low64(), "sink " + sink);
            assertTrue(allocated < MEASURED, allocated + " bytes allocated over " + MEASURED + " 1 MiB hashes");
        }
    }

    private static long loop(final XxHash3 h, final MemorySegment block, final int length, final int calls) {
        long sink = 0;
        for (int i = 0; i < calls; i++) {
            h.hash128(block, length);
            sink += h.high64() ^ h.low64();
        }
        return sink;
    }

    private static MemorySegment pattern(final Arena arena, final int length) {
        final MemorySegment s = arena.allocate(length, 4096);
        for (int i = 0; i < length; i++) {
            s.set(JAVA_BYTE, i, (byte) (i * 31 + (i >> 8) * 7 + 1));
        }
        return s;
    }

    private static String canonical(final XxHash3 h) {
        return String.format("%016x%016x", h.high64(), h.low64());
    }
}
