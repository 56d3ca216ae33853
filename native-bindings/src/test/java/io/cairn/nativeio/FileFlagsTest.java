package io.cairn.nativeio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FileFlagsTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseWritesWhenFileIsImmutable() throws Exception {
        assumeTrue(TestSystem.isRoot(), "setting the immutable flag needs root (CAP_LINUX_IMMUTABLE)");
        final String type = TestSystem.fileSystemType(dir);
        assumeTrue(type.equals("ext4") || type.equals("xfs") || type.equals("btrfs"),
            "inode flags are tested on disk file systems; temp dir is on " + type);
        final Path file = dir.resolve("sealed.pack");
        Files.write(file, new byte[]{1, 2, 3});
        assertFalse(FileFlags.isImmutable(file));
        FileFlags.setImmutable(file, true);
        try {
            assertTrue(FileFlags.isImmutable(file));
            final NativeIOException e = assertThrows(NativeIOException.class,
                () -> LinuxFile.openWrite(file, false, false));
            assertEquals(Errno.EPERM, e.errno());
            assertTrue(TestSystem.run("lsattr", file.toString()).startsWith("----i"), "lsattr agrees");
        } finally {
            FileFlags.setImmutable(file, false);
        }
        assertFalse(FileFlags.isImmutable(file));
        try (LinuxFile out = LinuxFile.openWrite(file, false, true)) {
            assertEquals(0, out.size());
        }
    }

    @Test
    void shouldFailWithEpermWhenNotRoot() throws IOException {
        assumeTrue(!TestSystem.isRoot(), "root may set the flag, so this runs only as a normal user");
        final Path file = dir.resolve("user-file");
        Files.write(file, new byte[]{1});
        final NativeIOException e = assertThrows(NativeIOException.class, () -> FileFlags.setImmutable(file, true));
        assertEquals(Errno.EPERM, e.errno());
        assertTrue(e.getMessage().startsWith("ioctl(" + file + ", FS_IOC_SETFLAGS"), e.getMessage());
    }

    @Test
    void shouldNameIoctlWhenFileIsMissing() {
        final NativeIOException e = assertThrows(NativeIOException.class,
            () -> FileFlags.isImmutable(dir.resolve("gone")));
        assertEquals(Errno.ENOENT, e.errno());
    }
}
