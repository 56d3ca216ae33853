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
    private static final int WARM_UP_PER_ROUND = 3_000;
    private static final int MAX_ROUNDS = 1_000;
    private static final int MEASURED = 100;
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
        assertTrue(XxHash3.function().equals("XXH3_128bits_dispatch") || XxHash3.function().equals("XXH3_128bits"),
            XxHash3.function());
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
            // Until C2 has compiled the downcall with the caller (escape analysis then removes the linker's
            // per-call return buffer, about 330-400 B), every call allocates; on a loaded host that takes anywhere
            // from 30 000 to 400 000 calls. So warm up on short inputs (the same Java code) until a measurement of
            // 1 MiB hashes is clean, for at most MAX_ROUNDS rounds; the least measurement is the steady state.
            long sink = 0;
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < MAX_ROUNDS && allocated >= MEASURED; round++) {
                sink += loop(h, block, 4096, WARM_UP_PER_ROUND);
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
