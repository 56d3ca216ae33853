package io.cairn.nativeio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LinuxFileErrorTest {
    @TempDir
    Path dir;

    @Test
    void shouldNameOpenPathAndErrnoWhenFileIsMissing() {
        final Path missing = dir.resolve("no-such-file");
        final NativeIOException e = assertThrows(NativeIOException.class, () -> LinuxFile.openRead(missing, true));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertEquals("open", e.call());
        assertEquals(missing.toString(), e.path());
        assertEquals("open(" + missing + ", flags=O_RDONLY|O_DIRECT|O_CLOEXEC) failed: "
            + "ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void shouldFailWithoutCreatingWhenCreateIsFalse() {
        final Path missing = dir.resolve("not-created");
        final NativeIOException e = assertThrows(NativeIOException.class,
            () -> LinuxFile.openWrite(missing, false, false));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(Files.notExists(missing));
    }

    @Test
    void shouldThrowClosedErrorWhenReadingAfterClose() throws IOException {
        final Path file = dir.resolve("closed");
        Files.write(file, new byte[4096]);
        final LinuxFile in = LinuxFile.openRead(file, false);
        in.close();
        in.close();
        assertEquals(-1, in.fd());
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment dst = arena.allocate(4096);
            final NativeIOException e = assertThrows(NativeIOException.class, () -> in.pread(dst, 4096, 0));
            assertEquals(Errno.EBADF, e.errno());
            assertEquals("pread(" + file + ", offset=0, length=4096) failed: EBADF (file is closed)", e.getMessage());
            assertThrows(NativeIOException.class, in::size);
            assertThrows(NativeIOException.class, () -> in.writeFully(dst, 1, 0));
        }
    }

    @Test
    void shouldFailWithEinvalWhenODirectReadIsMisaligned() throws IOException {
        final Path file = dir.resolve("misaligned");
        Files.write(file, new byte[3 * 4096]);
        try (Arena arena = Arena.ofConfined(); LinuxFile in = LinuxFile.openRead(file, true)) {
            assumeTrue(in.isDirect(), "temp dir's file system refused O_DIRECT");
            final MemorySegment dst = AlignedBuffers.allocate(arena, 8192);
            final NativeIOException e = assertThrows(NativeIOException.class, () -> in.pread(dst, 4096, 1));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("pread(" + file + ", offset=1, length=4096) failed: EINVAL (Invalid argument)",
                e.getMessage());
        }
    }

    @Test
    void shouldRejectSegmentsTheKernelCannotUseWhenCallerPassesThem() throws IOException {
        final Path file = dir.resolve("segments");
        Files.write(file, new byte[4096]);
        try (Arena arena = Arena.ofConfined(); LinuxFile in = LinuxFile.openRead(file, false)) {
            final MemorySegment heap = MemorySegment.ofArray(new byte[4096]);
            assertThrows(IllegalArgumentException.class, () -> in.pread(heap, 4096, 0));
            final MemorySegment small = arena.allocate(100);
            assertThrows(IllegalArgumentException.class, () -> in.pread(small, 101, 0));
            assertThrows(IllegalArgumentException.class, () -> in.pread(small.asReadOnly(), 100, 0));
            assertThrows(IllegalArgumentException.class, () -> in.pread(small, 100, -1));
        }
    }

    @Test
    void shouldThrowStorageFullWhenSmallTmpfsFillsUp() throws Exception {
        assumeTrue(TestSystem.isRoot() && TestSystem.hasCommand("mount"), "mounting a tmpfs needs root and mount(8)");
        final Path mountPoint = Files.createDirectory(dir.resolve("small-tmpfs"));
        TestSystem.run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.toString());
        try (Arena arena = Arena.ofConfined();
             LinuxFile out = LinuxFile.openWrite(mountPoint.resolve("big"), true, true)) {
            final MemorySegment src = AlignedBuffers.allocate(arena, 2L << 20);
            final StorageFullException e = assertThrows(StorageFullException.class,
                () -> out.writeFully(src, src.byteSize(), 0));
            assertEquals(Errno.ENOSPC, e.errno());
            assertEquals("pwrite", e.call());
            assertTrue(e.getMessage().contains("ENOSPC (No space left on device)"), e.getMessage());
        } finally {
            TestSystem.run("umount", mountPoint.toString());
        }
    }

    @Test
    void shouldMapEnospcAndEdquotToStorageFullWhenBuildingExceptions() {
        assertInstanceOf(StorageFullException.class, NativeIOException.of("pwrite", "/p", "", Errno.ENOSPC));
        assertInstanceOf(StorageFullException.class, NativeIOException.of("pwrite", "/p", "", Errno.EDQUOT));
        final NativeIOException eio =
            NativeIOException.of("pread", "/path/x", "offset=4096, length=1048576", Errno.EIO);
        assertEquals(NativeIOException.class, eio.getClass());
        assertEquals("pread(/path/x, offset=4096, length=1048576) failed: EIO (Input/output error)", eio.getMessage());
    }
}
