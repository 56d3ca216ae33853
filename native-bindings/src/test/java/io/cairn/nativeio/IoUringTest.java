package io.cairn.nativeio;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link IoUring} against real files: O_DIRECT reads compared with pread, end of file, bad descriptors, full queue. */
class IoUringTest {
    private static final int CHUNK = 1 << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.available(), "io_uring is not usable here: " + IoUring.unavailableReason());
    }

    @Test
    void shouldMatchPreadWhenManyDirectReadsRunAtRandomAlignedOffsets() throws IOException {
        assumeDiskFileSystem();
        final long fileBytes = 32L * CHUNK;
        final Path path = writeRandomFile("random", fileBytes, 42);
        final Random random = new Random(7);
        final int depth = 8;
        final int reads = 400;
        try (Arena arena = Arena.ofConfined();
             LinuxFile file = LinuxFile.openRead(path, true);
             IoUring ring = IoUring.open(depth).orElseThrow()) {
            assertTrue(file.isDirect(), "O_DIRECT was refused on " + dir);
            final MemorySegment[] buffers = new MemorySegment[depth];
            final long[] offsets = new long[depth];
            final int[] lengths = new int[depth];
            final List<Integer> free = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                buffers[i] = AlignedBuffers.allocate(arena, CHUNK);
                free.add(i);
            }
            final MemorySegment expected = AlignedBuffers.allocate(arena, CHUNK);
            final int[] checked = {0};
            final CompletionHandler verify = (userData, result) -> {
                final int slot = (int) userData;
                assertEquals(lengths[slot], result, "bytes read into slot " + slot);
                assertEquals(lengths[slot], file.pread(expected, lengths[slot], offsets[slot]));
                assertEquals(-1, buffers[slot].asSlice(0, result).mismatch(expected.asSlice(0, result)),
                    "io_uring and pread differ at offset " + offsets[slot]);
                buffers[slot].fill((byte) 0);
                free.add(slot);
                checked[0]++;
            };
            int submitted = 0;
            while (checked[0] < reads) {
                while (submitted < reads && !free.isEmpty()) {
                    final int slot = free.removeLast();
                    lengths[slot] = (1 + random.nextInt(CHUNK / 4096)) * 4096;
                    offsets[slot] = (long) random.nextInt((int) ((fileBytes - lengths[slot]) / 4096) + 1) * 4096;
                    assertTrue(ring.submitRead(file.fd(), buffers[slot], lengths[slot], offsets[slot], slot));
                    submitted++;
                }
                ring.submit();
                ring.waitCompletions(1, verify);
            }
            assertEquals(0, ring.inFlight());
        }
    }

    @Test
    void shouldReturnShortCountWhenReadCrossesEndOfFile() throws IOException {
        assumeDiskFileSystem();
        final Path path = writeRandomFile("tail", 10_000, 3);
        try (Arena arena = Arena.ofConfined();
             LinuxFile file = LinuxFile.openRead(path, true);
             IoUring ring = IoUring.open(4).orElseThrow()) {
            final MemorySegment buffer = AlignedBuffers.allocate(arena, 16_384);
            final MemorySegment past = AlignedBuffers.allocate(arena, 4096);
            final int[] results = new int[2];
            assertTrue(ring.submitRead(file.fd(), buffer, 16_384, 8192, 0));
            assertTrue(ring.submitRead(file.fd(), past, 4096, 16_384, 1));
            assertEquals(2, ring.waitCompletions(2, (userData, result) -> results[(int) userData] = result));
            assertEquals(10_000 - 8192, results[0]);
            assertEquals(0, results[1], "a read past the end returns 0 bytes");
            final MemorySegment expected = AlignedBuffers.allocate(arena, 16_384);
            assertEquals(10_000 - 8192, file.pread(expected, 16_384, 8192));
            assertEquals(-1, buffer.asSlice(0, 1808).mismatch(expected.asSlice(0, 1808)));
        }
    }

    @Test
    void shouldReportEbadfWhenDescriptorIsNotOpen() throws IOException {
        final Path path = writeRandomFile("closed", 4096, 5);
        try (Arena arena = Arena.ofConfined(); IoUring ring = IoUring.open(2).orElseThrow()) {
            final MemorySegment buffer = AlignedBuffers.allocate(arena, 4096);
            final int[] result = {1};
            assertTrue(ring.submitRead(1 << 30, buffer, 4096, 0, 77));
            assertEquals(1, ring.waitCompletions(1, (userData, r) -> {
                assertEquals(77, userData);
                result[0] = r;
            }));
            assertEquals(-Errno.EBADF, result[0]);
            final NativeIOException e = IoUring.readFailure(path.toString(), 0, 4096, result[0]);
            assertEquals(Errno.EBADF, e.errno());
            assertEquals("io_uring read", e.call());
            assertTrue(e.getMessage().startsWith("io_uring read(" + path + ", offset=0, length=4096) failed: EBADF"),
                e.getMessage());
        }
    }

    @Test
    void shouldRefuseReadsWhenQueueIsFullAndAcceptThemAgainAfterCompletions() throws IOException {
        final Path path = writeRandomFile("full", 8L * 4096, 9);
        try (Arena arena = Arena.ofConfined();
             LinuxFile file = LinuxFile.openRead(path, false);
             IoUring ring = IoUring.open(4).orElseThrow()) {
            assertEquals(4, ring.capacity());
            final MemorySegment buffer = AlignedBuffers.allocate(arena, 8L * 4096);
            for (int i = 0; i < 4; i++) {
                assertTrue(ring.submitRead(file.fd(), buffer.asSlice(4096L * i, 4096), 4096, 4096L * i, i));
            }
            assertFalse(ring.submitRead(file.fd(), buffer.asSlice(4096L * 4, 4096), 4096, 4096L * 4, 4));
            assertEquals(4, ring.inFlight());
            assertEquals(4, ring.submit());
            final long[] seen = {0};
            final int taken = ring.waitCompletions(1, (userData, result) -> {
                assertEquals(4096, result);
                seen[0] |= 1L << userData;
            });
            assertTrue(taken >= 1);
            assertEquals(4 - taken, ring.inFlight());
            assertTrue(ring.submitRead(file.fd(), buffer.asSlice(4096L * 4, 4096), 4096, 4096L * 4, 4));
            ring.waitCompletions(ring.inFlight(), (userData, result) -> seen[0] |= 1L << userData);
            assertEquals(0b11111, seen[0]);
            final MemorySegment expected = AlignedBuffers.allocate(arena, 5L * 4096);
            file.readFully(expected, 5L * 4096, 0);
            assertEquals(-1, buffer.asSlice(0, 5L * 4096).mismatch(expected));
        }
    }

    @Test
    void shouldWaitForReadsInFlightWhenClosed() throws IOException {
        final Path path = writeRandomFile("inflight", 4L * CHUNK, 11);
        try (Arena arena = Arena.ofConfined(); LinuxFile file = LinuxFile.openRead(path, true)) {
            final MemorySegment buffer = AlignedBuffers.allocate(arena, 4L * CHUNK);
            final IoUring ring = IoUring.open(4).orElseThrow();
            for (int i = 0; i < 4; i++) {
                assertTrue(ring.submitRead(file.fd(), buffer.asSlice((long) CHUNK * i, CHUNK), CHUNK,
                    (long) CHUNK * i, i));
            }
            ring.submit();
            ring.close();
            assertEquals(0, ring.inFlight());
            assertThrows(IllegalStateException.class, ring::submit);
            ring.close(); // a second close does nothing
            final MemorySegment expected = AlignedBuffers.allocate(arena, 4L * CHUNK);
            file.readFully(expected, 4L * CHUNK, 0);
            assertEquals(-1, buffer.mismatch(expected), "every read finished before close returned");
        }
    }

    @Test
    void shouldRejectBadArgumentsWhenOpeningOrSubmitting() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> IoUring.open(0));
        assertThrows(IllegalArgumentException.class, () -> IoUring.open(1 << 20));
        try (IoUring ring = IoUring.open(2).orElseThrow()) {
            final MemorySegment heap = MemorySegment.ofArray(new byte[4096]);
            assertThrows(IllegalArgumentException.class, () -> ring.submitRead(0, heap, 4096, 0, 0));
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment small = AlignedBuffers.allocate(arena, 4096);
                assertThrows(IllegalArgumentException.class, () -> ring.submitRead(0, small, 8192, 0, 0));
                assertThrows(IllegalArgumentException.class, () -> ring.submitRead(0, small, 4096, -1, 0));
            }
            assertEquals(0, ring.inFlight());
        }
    }

    @Test
    void shouldNotAllocateWhenSubmittingAndReapingAfterWarmUp() throws IOException {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final Path path = writeRandomFile("alloc", 8L * 4096, 13);
        try (Arena arena = Arena.ofConfined();
             LinuxFile file = LinuxFile.openRead(path, false);
             IoUring ring = IoUring.open(8).orElseThrow()) {
            final MemorySegment buffer = AlignedBuffers.allocate(arena, 8L * 4096);
            final CountingHandler handler = new CountingHandler();
            loop(ring, file.fd(), buffer, handler, 20_000);
            // JIT warm-up on a loaded host only ever adds bytes: the least of three measurements is the steady state
            long allocated = Long.MAX_VALUE;
            int attempts = 0;
            for (; attempts < 3 && allocated >= 10_000; attempts++) {
                final long before = threads.getCurrentThreadAllocatedBytes();
                loop(ring, file.fd(), buffer, handler, 10_000);
                allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertEquals((20_000L + attempts * 10_000L) * 8 * 4096, handler.bytes);
            assertTrue(allocated < 10_000, allocated + " bytes allocated over 10000 rounds of 8 reads");
        }
    }

    private static void loop(final IoUring ring, final int fd, final MemorySegment buffer,
                             final CountingHandler handler, final int rounds) throws IOException {
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 8; i++) {
                ring.submitRead(fd, buffer, 4096, 4096L * i, i);
            }
            ring.submit();
            ring.waitCompletions(8, handler);
        }
    }

    /** A handler as a class, not a capturing lambda: what allocation-free callers do. */
    private static final class CountingHandler implements CompletionHandler {
        long bytes;

        @Override
        public void onCompletion(final long userData, final int result) {
            bytes += result;
        }
    }

    private void assumeDiskFileSystem() throws IOException {
        final String type = TestSystem.fileSystemType(dir);
        assumeTrue(type.equals("ext4") || type.equals("xfs") || type.equals("btrfs"),
            "temp dir is on " + type + ", not a disk file system known to take O_DIRECT");
    }

    private Path writeRandomFile(final String name, final long bytes, final long seed) throws IOException {
        final Path path = dir.resolve(name);
        final Random random = new Random(seed);
        try (Arena arena = Arena.ofConfined(); LinuxFile out = LinuxFile.openWrite(path, true, true)) {
            final MemorySegment chunk = AlignedBuffers.allocate(arena, CHUNK);
            final byte[] bytesOfChunk = new byte[CHUNK];
            for (long offset = 0; offset < bytes; offset += CHUNK) {
                random.nextBytes(bytesOfChunk);
                MemorySegment.copy(MemorySegment.ofArray(bytesOfChunk), 0, chunk, 0, CHUNK);
                out.writeFully(chunk, Math.min(CHUNK, bytes - offset), offset);
            }
            out.fdatasync();
        }
        return path;
    }
}
