package io.cairn.nativeio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** FICLONE, FIFREEZE and FITHAW on real loop-mounted XFS and ext4 file systems (root only). */
class FileSystemControlTest {
    @TempDir
    Path tmp;

    private static void assumeLoopMounts(final String mkfs) {
        assumeTrue(TestSystem.isRoot(), "needs root for losetup and mount");
        assumeTrue(TestSystem.hasCommand(mkfs), "needs " + mkfs + " (apt-get install xfsprogs / e2fsprogs)");
        assumeTrue(TestSystem.hasCommand("losetup"), "needs losetup");
    }

    private static byte[] randomBytes(final int length, final long seed) {
        final byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Test
    void shouldCloneWholeFileWhenFileSystemSupportsReflink() throws Exception {
        assumeLoopMounts("mkfs.xfs");
        try (LoopMount fs = LoopMount.xfs(tmp)) {
            final Path src = fs.mountPoint().resolve("disk.img");
            final byte[] data = randomBytes(3 * 1024 * 1024 + 4096, 1);
            Files.write(src, data);
            final Path dst = fs.mountPoint().resolve("clone.img");
            FileSystemControl.cloneFile(src, dst);
            assertArrayEquals(data, Files.readAllBytes(dst));
            // The clone is independent: writing the source leaves it unchanged.
            Files.write(src, randomBytes(data.length, 2));
            assertArrayEquals(data, Files.readAllBytes(dst));
        }
    }

    @Test
    void shouldRefuseToCloneOverExistingFileWhenDestinationExists() throws Exception {
        assumeLoopMounts("mkfs.xfs");
        try (LoopMount fs = LoopMount.xfs(tmp)) {
            final Path src = Files.write(fs.mountPoint().resolve("a"), new byte[] {1, 2, 3});
            final Path dst = Files.write(fs.mountPoint().resolve("b"), new byte[] {9});
            final NativeIOException e =
                assertThrows(NativeIOException.class, () -> FileSystemControl.cloneFile(src, dst));
            assertEquals(Errno.EEXIST, e.errno());
            assertArrayEquals(new byte[] {9}, Files.readAllBytes(dst));
        }
    }

    @Test
    void shouldSayNoReflinkAndLeaveNothingWhenFileSystemIsExt4() throws Exception {
        assumeLoopMounts("mkfs.ext4");
        try (LoopMount fs = LoopMount.ext4(tmp)) {
            final Path src = Files.write(fs.mountPoint().resolve("disk.img"), randomBytes(65536, 3));
            final Path dst = fs.mountPoint().resolve("clone.img");
            final NativeIOException e =
                assertThrows(NativeIOException.class, () -> FileSystemControl.cloneFile(src, dst));
            assertTrue(e.getMessage().contains("file system of " + src + " does not support reflink"),
                e.getMessage());
            assertTrue(FileSystemControl.isNoReflink(e.errno()), e.errnoName());
            assertFalse(Files.exists(dst));
        }
    }

    @Test
    void shouldAcceptWritesAfterThawWhenFrozen() throws Exception {
        assumeLoopMounts("mkfs.xfs");
        try (LoopMount fs = LoopMount.xfs(tmp)) {
            FileSystemControl.freeze(fs.mountPoint());
            try {
                final NativeIOException again =
                    assertThrows(NativeIOException.class, () -> FileSystemControl.freeze(fs.mountPoint()));
                assertEquals(Errno.EBUSY, again.errno());
            } finally {
                FileSystemControl.thaw(fs.mountPoint());
            }
            final Path after = Files.write(fs.mountPoint().resolve("after"), new byte[] {42});
            assertArrayEquals(new byte[] {42}, Files.readAllBytes(after));
        }
    }

    @Test
    void shouldFailWithEinvalWhenThawingUnfrozenFileSystem() throws Exception {
        assumeLoopMounts("mkfs.xfs");
        try (LoopMount fs = LoopMount.xfs(tmp)) {
            final NativeIOException e =
                assertThrows(NativeIOException.class, () -> FileSystemControl.thaw(fs.mountPoint()));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("FITHAW"), e.getMessage());
        }
    }

    @Test
    void shouldNameCallAndPathWhenMountPointIsMissing() throws IOException {
        assumeTrue(NativeSupport.available(), NativeSupport.unavailableReason());
        final Path missing = tmp.resolve("no-such-dir");
        final NativeIOException e =
            assertThrows(NativeIOException.class, () -> FileSystemControl.freeze(missing));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
