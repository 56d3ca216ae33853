package io.cairn.nativeio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static io.cairn.nativeio.LinuxConstants.FS_IMMUTABLE_FL;
import static io.cairn.nativeio.LinuxConstants.FS_IOC_GETFLAGS;
import static io.cairn.nativeio.LinuxConstants.FS_IOC_SETFLAGS;
import static io.cairn.nativeio.LinuxConstants.O_CLOEXEC;
import static io.cairn.nativeio.LinuxConstants.O_NONBLOCK;
import static io.cairn.nativeio.LinuxConstants.O_RDONLY;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Inode flags through FS_IOC_GETFLAGS / FS_IOC_SETFLAGS, as lsattr and chattr do. Cairn uses the immutable flag
 * to protect sealed pack files against accidental deletion and rewriting.
 *
 * <p>Setting flags needs CAP_LINUX_IMMUTABLE (root); it fails with EPERM otherwise. File systems without inode
 * flags fail with ENOTTY or EOPNOTSUPP. The file is opened {@code O_RDONLY|O_NONBLOCK}, which works for
 * directories and does not block on FIFOs. The kernel reads and writes an {@code int} here although the
 * request's size field says {@code long}.
 */
public final class FileFlags {
    private FileFlags() {
    }

    /** True when the file has the immutable flag (chattr +i). */
    public static boolean isImmutable(final Path p) throws IOException {
        try (LinuxFile file = LinuxFile.open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
             Arena arena = Arena.ofConfined()) {
            return (flags(file, arena) & FS_IMMUTABLE_FL) != 0;
        }
    }

    /** Sets or clears the immutable flag, leaving the other flags as they are. */
    public static void setImmutable(final Path p, final boolean on) throws IOException {
        try (LinuxFile file = LinuxFile.open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
             Arena arena = Arena.ofConfined()) {
            final int flags = flags(file, arena);
            final int wanted = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
            if (wanted != flags) {
                final MemorySegment value = arena.allocate(Long.BYTES);
                value.set(JAVA_INT, 0, wanted);
                file.ioctl(FS_IOC_SETFLAGS, value, "FS_IOC_SETFLAGS, flags=0x" + Integer.toHexString(wanted));
            }
        }
    }

    private static int flags(final LinuxFile file, final Arena arena) throws IOException {
        final MemorySegment value = arena.allocate(Long.BYTES);
        file.ioctl(FS_IOC_GETFLAGS, value, "FS_IOC_GETFLAGS");
        return value.get(JAVA_INT, 0);
    }
}
