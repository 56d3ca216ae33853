package io.cairn.nativeio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LinuxFileReadWriteTest {
    private static final int BLOCK = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void shouldReadBackWhatWasWrittenWhenUsingAlignedSegments() throws IOException {
        final Path file = dir.resolve("roundtrip");
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment src = pattern(arena, 3L * BLOCK);
            try (LinuxFile out = LinuxFile.openWrite(file, true, true)) {
                out.writeFully(src, src.byteSize(), 0);
                out.fdatasync();
                assertEquals(3L * BLOCK, out.size());
            }
            final MemorySegment dst = AlignedBuffers.allocate(arena, 3L * BLOCK);
            try (LinuxFile in = LinuxFile.openRead(file, false)) {
                assertEquals(3L * BLOCK, in.readFully(dst, dst.byteSize(), 0));
            }
            assertEquals(-1, src.mismatch(dst));
        }
        assertEquals(3L * BLOCK, Files.size(file));
    }

    @Test
    void shouldReadWithODirectWhenFileSystemSupportsIt() throws IOException {
        final String type = TestSystem.fileSystemType(dir);
        assumeTrue(type.equals("ext4") || type.equals("xfs") || type.equals("btrfs"),
            "temp dir is on " + type + ", not a disk file system known to take O_DIRECT");
        final Path file = dir.resolve("direct");
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment src = pattern(arena, 2L * BLOCK);
            try (LinuxFile out = LinuxFile.openWrite(file, true, false)) {
                out.writeFully(src, src.byteSize(), 0);
                out.fsync();
            }
            final MemorySegment dst = AlignedBuffers.allocate(arena, BLOCK);
            try (LinuxFile in = LinuxFile.openRead(file, true)) {
                assertTrue(in.isDirect(), "O_DIRECT open on " + type);
                assertEquals(BLOCK, in.pread(dst, BLOCK, BLOCK));
                assertEquals(-1, src.asSlice(BLOCK, BLOCK).mismatch(dst));
                assertEquals(0, in.pread(dst, BLOCK, 2L * BLOCK), "pread at end of file");
            }
        }
    }

    @Test
    void shouldFallBackToBufferedWhenFileSystemRefusesODirect() throws IOException {
        // procfs refuses O_DIRECT with EINVAL. tmpfs (/dev/shm) accepts it since Linux 6.6, so it is no test.
        final Path file = Path.of("/proc/version");
        try (Arena arena = Arena.ofConfined(); LinuxFile in = LinuxFile.openRead(file, true)) {
            assertFalse(in.isDirect());
            final MemorySegment dst = AlignedBuffers.allocate(arena, 4096);
            final long n = in.readFully(dst, dst.byteSize(), 0);
            assertTrue(n > 0);
            final String text = new String(dst.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
            assertTrue(text.startsWith("Linux version"), text);
        }
    }

    @Test
    void shouldReturnShortCountWhenReadingAcrossEndOfFile() throws IOException {
        final Path file = dir.resolve("short");
        Files.write(file, new byte[]{1, 2, 3, 4, 5});
        try (Arena arena = Arena.ofConfined(); LinuxFile in = LinuxFile.openRead(file, false)) {
            final MemorySegment dst = arena.allocate(4096);
            assertEquals(3, in.readFully(dst, 4096, 2));
            assertArrayEquals(new byte[]{3, 4, 5}, dst.asSlice(0, 3).toArray(JAVA_BYTE));
            assertEquals(5, in.size());
        }
    }

    @Test
    void shouldReadCorrectBlocksWhenSeveralThreadsShareOneFile() throws Exception {
        final Path file = dir.resolve("shared");
        final int blocks = 64;
        final int blockBytes = 64 * 1024;
        try (Arena arena = Arena.ofShared()) {
            final MemorySegment src = pattern(arena, (long) blocks * blockBytes);
            try (LinuxFile out = LinuxFile.openWrite(file, true, true)) {
                out.writeFully(src, src.byteSize(), 0);
            }
            try (LinuxFile in = LinuxFile.openRead(file, false);
                 ExecutorService pool = Executors.newFixedThreadPool(4)) {
                final List<Future<Integer>> mismatches = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    final int first = t;
                    mismatches.add(pool.submit(() -> {
                        int bad = 0;
                        try (Arena own = Arena.ofConfined()) {
                            final MemorySegment dst = AlignedBuffers.allocate(own, blockBytes);
                            for (int round = 0; round < 20; round++) {
                                for (int b = first; b < blocks; b += 4) {
                                    in.readFully(dst, blockBytes, (long) b * blockBytes);
                                    if (src.asSlice((long) b * blockBytes, blockBytes).mismatch(dst) != -1) {
                                        bad++;
                                    }
                                }
                            }
                        }
                        return bad;
                    }));
                }
                for (final Future<Integer> f : mismatches) {
                    assertEquals(0, f.get());
                }
            }
        }
    }

    @Test
    void shouldTruncateExistingContentWhenOpenedWithTruncate() throws IOException {
        final Path file = dir.resolve("trunc");
        Files.write(file, new byte[10_000]);
        try (LinuxFile out = LinuxFile.openWrite(file, false, true)) {
            assertEquals(0, out.size());
        }
        try (LinuxFile out = LinuxFile.openWrite(file, false, false)) {
            out.truncate(12_345);
            assertEquals(12_345, out.size());
        }
    }

    @Test
    void shouldAcceptAdviceWhenRangeIsValid() throws IOException {
        final Path file = dir.resolve("advice");
        Files.write(file, new byte[8192]);
        try (LinuxFile in = LinuxFile.openRead(file, false)) {
            in.adviseSequential();
            in.adviseDontNeed(0, 0);
            final NativeIOException e = assertThrows(NativeIOException.class,
                () -> in.adviseDontNeed(0, -1));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("advice=POSIX_FADV_DONTNEED"), e.getMessage());
        }
    }

    @Test
    void shouldMakeRenameDurableWhenDirectoryIsSynced() throws IOException {
        final Path tmp = dir.resolve("x.tmp");
        Files.write(tmp, new byte[]{42});
        Files.move(tmp, dir.resolve("x"));
        LinuxFile.fsyncDirectory(dir);
        final NativeIOException e = assertThrows(NativeIOException.class,
            () -> LinuxFile.fsyncDirectory(dir.resolve("x")));
        assertEquals(Errno.ENOTDIR, e.errno());
    }

    static MemorySegment pattern(final Arena arena, final long size) {
        final MemorySegment segment = AlignedBuffers.allocate(arena, size);
        for (long i = 0; i < size; i++) {
            segment.set(JAVA_BYTE, i, TestSystem.patternByte(i));
        }
        return segment;
    }
}
