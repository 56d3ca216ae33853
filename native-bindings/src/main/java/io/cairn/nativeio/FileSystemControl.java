package io.cairn.nativeio;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.cairn.nativeio.LinuxConstants.O_CLOEXEC;
import static io.cairn.nativeio.LinuxConstants.O_CREAT;
import static io.cairn.nativeio.LinuxConstants.O_DIRECTORY;
import static io.cairn.nativeio.LinuxConstants.O_EXCL;
import static io.cairn.nativeio.LinuxConstants.O_RDONLY;
import static io.cairn.nativeio.LinuxConstants.O_WRONLY;

/**
 * File-system level controls for point-in-time copies: a reflink clone of a whole file ({@code FICLONE}) and
 * freezing and thawing a mounted file system ({@code FIFREEZE} / {@code FITHAW}).
 *
 * <p>{@code FICLONE} ({@code _IOW(0x94, 9, int)} = {@code 0x40049409}) is issued on the destination's descriptor
 * with the source's descriptor as the argument. The kernel reads the third ioctl argument as an
 * {@code unsigned long} and uses its low bits as the descriptor number, so it is passed through the existing
 * pointer-typed {@link LibC#ioctl} handle as {@code MemorySegment.ofAddress(fd)}: the value travels in the same
 * register either way and no second handle is needed. File systems without reflink (ext4, tmpfs) answer
 * EOPNOTSUPP; a source on another file system gives EXDEV; some file systems answer EINVAL or ENOTTY. All of them
 * become a {@link NativeIOException} whose description says the file system does not support reflink.
 *
 * <p>{@code FIFREEZE} / {@code FITHAW} ({@code 0xC0045877} / {@code 0xC0045878}) go to a descriptor of the mount
 * point, opened {@code O_RDONLY|O_DIRECTORY}. They need CAP_SYS_ADMIN (EPERM otherwise); a second freeze of a
 * frozen file system fails with EBUSY, and a thaw of one that is not frozen fails with EINVAL. A frozen file
 * system blocks every writer, so callers must thaw in a {@code finally} and should bound the freeze time.
 *
 * <p>Threads: every method is independent and may run on any thread.
 */
public final class FileSystemControl {
    static final long FICLONE = 0x40049409L;
    static final long FIFREEZE = 0xC0045877L;
    static final long FITHAW = 0xC0045878L;

    private FileSystemControl() {
    }

    /**
     * Creates {@code dst} (which must not exist; mode 0600) as a reflink clone of the whole of {@code src}: the
     * two share their extents until either is written. On failure {@code dst} is removed again.
     *
     * @throws NativeIOException naming the failing call and errno; for a file system without reflink the
     *                           description reads "file system of SRC does not support reflink"
     */
    public static void cloneFile(final Path src, final Path dst) throws IOException {
        NativeSupport.ensureAvailable();
        try (LinuxFile source = LinuxFile.open(src, O_RDONLY | O_CLOEXEC, 0)) {
            boolean done = false;
            final LinuxFile target = LinuxFile.open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            try {
                clone(source, target);
                done = true;
            } finally {
                target.close();
                if (!done) {
                    Files.deleteIfExists(dst);
                }
            }
        }
    }

    private static void clone(final LinuxFile source, final LinuxFile target) throws IOException {
        final MemorySegment capture = LibC.captureState();
        final String arguments = "FICLONE, src=" + source.path();
        while (LibC.ioctl(capture, target.fd(), FICLONE, MemorySegment.ofAddress(source.fd())) < 0) {
            final int errno = LibC.errno(capture);
            if (errno == Errno.EINTR) {
                continue;
            }
            if (isNoReflink(errno)) {
                throw new NativeIOException("ioctl", target.path().toString(), arguments, errno,
                    "file system of " + source.path() + " does not support reflink");
            }
            throw NativeIOException.of("ioctl", target.path().toString(), arguments, errno);
        }
    }

    /** True for the FICLONE error numbers that mean "no reflink here" rather than an I/O failure. */
    public static boolean isNoReflink(final int errno) {
        return errno == Errno.EOPNOTSUPP || errno == Errno.EXDEV || errno == Errno.EINVAL || errno == Errno.ENOTTY;
    }

    /**
     * Freezes the file system mounted at {@code mountPoint} (FIFREEZE): pending writes are flushed and new ones
     * block until {@link #thaw(Path)}.
     *
     * @throws NativeIOException e.g. EBUSY when it is already frozen, EPERM without CAP_SYS_ADMIN, EOPNOTSUPP
     *                           when the file system cannot be frozen
     */
    public static void freeze(final Path mountPoint) throws IOException {
        mountPointIoctl(mountPoint, FIFREEZE, "FIFREEZE");
    }

    /**
     * Thaws the file system mounted at {@code mountPoint} (FITHAW).
     *
     * @throws NativeIOException e.g. EINVAL when it is not frozen
     */
    public static void thaw(final Path mountPoint) throws IOException {
        mountPointIoctl(mountPoint, FITHAW, "FITHAW");
    }

    private static void mountPointIoctl(final Path mountPoint, final long request, final String name)
        throws IOException {
        NativeSupport.ensureAvailable();
        try (LinuxFile dir = LinuxFile.open(mountPoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) {
            dir.ioctl(request, MemorySegment.NULL, name);
        }
    }
}
