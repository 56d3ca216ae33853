package io.cairn.nativeio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

import static io.cairn.nativeio.LinuxConstants.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An open Linux file descriptor with positional I/O into off-heap segments.
 *
 * <p>Threads: {@link #pread}, {@link #readFully}, {@link #writeFully} and the other calls may run on several
 * threads at once (positional I/O shares no file position; each thread has its own errno capture segment).
 * {@link #close()} must not race with them: after a close, the number may be reused by another open, so a
 * concurrent call could reach the wrong file. Calls after {@code close()} throw a {@link NativeIOException} with
 * {@link Errno#EBADF} and "file is closed" without reaching the kernel.
 *
 * <p>Allocation: pread, pwrite and their loops allocate nothing after a thread's first call, except a slice when
 * the kernel returns a short count. Opening, status and ioctl calls allocate (a C string, a struct); they are
 * cold.
 *
 * <p>Buffers: segments must be native and writable (for reads). For O_DIRECT, the segment address, the length and
 * the file offset must be multiples of the logical block size; {@link AlignedBuffers} gives 4096-aligned
 * segments. A misaligned O_DIRECT call fails with EINVAL.
 */
public final class LinuxFile implements AutoCloseable {
    private static final int CLOSED = -1;

    private final Path path;
    private final String pathText;
    private final boolean direct;
    /** Written by open and close only; volatile so a close is seen by threads that merely read. */
    private volatile int fd;

    private LinuxFile(final Path path, final String pathText, final int fd, final boolean direct) {
        this.path = path;
        this.pathText = pathText;
        this.fd = fd;
        this.direct = direct;
    }

    /**
     * Opens {@code path} read-only ({@code O_RDONLY|O_CLOEXEC}), adding {@code O_DIRECT} when {@code direct} is
     * true. When the file system refuses {@code O_DIRECT} (EINVAL: procfs, ramfs, some FUSE and network file
     * systems) it opens buffered instead, and {@link #isDirect()} returns false.
     *
     * @throws NativeIOException naming open, the path and the errno, e.g. ENOENT for a missing file
     * @throws UnsupportedOperationException when native access is unavailable (see {@link NativeAccess})
     */
    public static LinuxFile openRead(final Path path, final boolean direct) throws IOException {
        final int flags = O_RDONLY | O_CLOEXEC;
        if (direct) {
            try {
                return open(path, flags | O_DIRECT, 0);
            } catch (final NativeIOException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
            }
        }
        return open(path, flags, 0);
    }

    /**
     * Opens {@code path} for writing: {@code O_RDWR|O_CLOEXEC}, plus {@code O_CREAT} (mode 0644, less the umask)
     * when {@code create} and {@code O_TRUNC} when {@code truncate}. Never O_DIRECT (see {@link #openWriteDirect}).
     * Read-write rather than write-only so that a writer can re-read what it produced before publishing it.
     */
    public static LinuxFile openWrite(final Path path, final boolean create, final boolean truncate)
        throws IOException {
        final int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0) | (truncate ? O_TRUNC : 0);
        return open(path, flags, create ? MODE_0644 : 0);
    }

    /**
     * As {@link #openWrite(Path, boolean, boolean)}, adding {@code O_DIRECT}: writes bypass the page cache, so a
     * final fdatasync has little left to flush. Writes must then be 4096-aligned in file offset, length and
     * memory address. When the file system refuses {@code O_DIRECT} (EINVAL, e.g. tmpfs on older kernels) it
     * opens buffered instead, and {@link #isDirect()} returns false.
     */
    public static LinuxFile openWriteDirect(final Path path, final boolean create, final boolean truncate)
        throws IOException {
        final int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0) | (truncate ? O_TRUNC : 0);
        try {
            return open(path, flags | O_DIRECT, create ? MODE_0644 : 0);
        } catch (final NativeIOException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
        }
        return open(path, flags, create ? MODE_0644 : 0);
    }

    /** open(2) with the given flags, retried on EINTR; the file is direct when the flags hold O_DIRECT. */
    static LinuxFile open(final Path path, final int flags, final int mode) throws IOException {
        NativeSupport.ensureAvailable();
        final String pathText = Objects.requireNonNull(path, "path").toString();
        final MemorySegment capture = LibC.captureState();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment cPath = arena.allocateFrom(pathText);
            do {
                fd = LibC.open(capture, cPath, flags, mode);
            } while (fd < 0 && LibC.errno(capture) == Errno.EINTR);
        }
        if (fd < 0) {
            final String arguments = "flags=" + openFlags(flags)
                + ((flags & O_CREAT) != 0 ? ", mode=0" + Integer.toOctalString(mode) : "");
            throw NativeIOException.of("open", pathText, arguments, LibC.errno(capture));
        }
        return new LinuxFile(path, pathText, fd, (flags & O_DIRECT) != 0);
    }

    /** Opens {@code dir} with {@code O_RDONLY|O_DIRECTORY}, fsyncs it and closes it: makes renames durable. */
    public static void fsyncDirectory(final Path dir) throws IOException {
        try (LinuxFile directory = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) {
            directory.fsync();
        }
    }

    /** True when the file was opened with O_DIRECT (false after a fallback to buffered I/O). */
    public boolean isDirect() {
        return direct;
    }

    /** The descriptor number, or -1 once closed. */
    public int fd() {
        return fd;
    }

    /** The path this file was opened with. */
    public Path path() {
        return path;
    }

    /** True when the descriptor refers to a block device (S_IFBLK). */
    public boolean isBlockDevice() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return (statx(arena, "isBlockDevice").get(JAVA_SHORT, STATX_MODE_OFFSET) & S_IFMT) == S_IFBLK;
        }
    }

    /** The size in bytes: st_size for regular files, ioctl BLKGETSIZE64 for block devices. */
    public long size() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment stat = statx(arena, "size");
            if ((stat.get(JAVA_SHORT, STATX_MODE_OFFSET) & S_IFMT) != S_IFBLK) {
                return stat.get(JAVA_LONG, STATX_SIZE_OFFSET);
            }
            final MemorySegment size = arena.allocate(JAVA_LONG);
            ioctl(BLKGETSIZE64, size, "BLKGETSIZE64");
            return size.get(JAVA_LONG, 0);
        }
    }

    /**
     * One pread(2), retried on EINTR.
     *
     * @param dst        a native, writable segment
     * @param length     bytes to read, at most {@code dst.byteSize()}
     * @param fileOffset where in the file to start
     * @return bytes read: fewer than {@code length} near the end of the file, 0 at or past it
     */
    public long pread(final MemorySegment dst, final long length, final long fileOffset) throws IOException {
        checkArguments(dst, length, fileOffset, true);
        return preadChecked(dst, length, fileOffset);
    }

    /** Repeats pread until {@code length} bytes have been read or the file ends; returns the bytes read. */
    public long readFully(final MemorySegment dst, final long length, final long fileOffset) throws IOException {
        checkArguments(dst, length, fileOffset, true);
        long done = preadChecked(dst, length, fileOffset);
        while (done < length) {
            // Short read: rare (end of file, signals, some devices), so the slice allocation is acceptable.
            final long n = preadChecked(dst.asSlice(done), length - done, fileOffset + done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /**
     * Repeats pwrite(2) until all {@code length} bytes are written.
     *
     * @throws StorageFullException on ENOSPC or EDQUOT; bytes before the failing call may have been written
     */
    public void writeFully(final MemorySegment src, final long length, final long fileOffset) throws IOException {
        checkArguments(src, length, fileOffset, false);
        final int fd = openFd("pwrite", fileOffset, length);
        final MemorySegment capture = LibC.captureState();
        long done = 0;
        while (done < length) {
            final MemorySegment from = done == 0 ? src : src.asSlice(done);
            final long remaining = length - done;
            long n;
            do {
                n = LibC.pwrite(capture, fd, from, remaining, fileOffset + done);
            } while (n < 0 && LibC.errno(capture) == Errno.EINTR);
            if (n <= 0) {
                throw n < 0
                    ? NativeIOException.of("pwrite", pathText, range(fileOffset + done, remaining), LibC.errno(capture))
                    : new NativeIOException("pwrite", pathText, range(fileOffset + done, remaining), Errno.EIO,
                        "wrote 0 bytes");
            }
            done += n;
        }
    }

    /**
     * fdatasync(2). A failure means dirty pages may already be dropped from the page cache: calling again can
     * succeed without the data being on disk, so treat the file as broken and rewrite it.
     */
    public void fdatasync() throws IOException {
        final int fd = openFd("fdatasync", -1, -1);
        final MemorySegment capture = LibC.captureState();
        while (LibC.fdatasync(capture, fd) < 0) {
            failUnlessInterrupted("fdatasync", capture, "");
        }
    }

    /** fsync(2); the same warning as for {@link #fdatasync()} applies. */
    public void fsync() throws IOException {
        final int fd = openFd("fsync", -1, -1);
        final MemorySegment capture = LibC.captureState();
        while (LibC.fsync(capture, fd) < 0) {
            failUnlessInterrupted("fsync", capture, "");
        }
    }

    /** ftruncate(2): sets the file's size, cutting or extending it with a hole. */
    public void truncate(final long length) throws IOException {
        final int fd = openFd("ftruncate", -1, length);
        final MemorySegment capture = LibC.captureState();
        while (LibC.ftruncate(capture, fd, length) < 0) {
            failUnlessInterrupted("ftruncate", capture, "length=" + length);
        }
    }

    /**
     * fallocate(2) with the given mode bits (0 = allocate and extend; 1 = FALLOC_FL_KEEP_SIZE; 2 = PUNCH_HOLE).
     * EOPNOTSUPP means the file system cannot do it; ENOSPC gives a {@link StorageFullException}.
     */
    public void fallocate(final int mode, final long offset, final long length) throws IOException {
        final int fd = openFd("fallocate", offset, length);
        final MemorySegment capture = LibC.captureState();
        while (LibC.fallocate(capture, fd, mode, offset, length) < 0) {
            failUnlessInterrupted("fallocate", capture, "mode=0x" + Integer.toHexString(mode) + ", "
                + range(offset, length));
        }
    }

    /** Deallocates a range, keeping the file size: FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE. Reads give zeros. */
    public void punchHole(final long offset, final long length) throws IOException {
        fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
    }

    /** lseek SEEK_DATA: the first data offset at or after {@code offset}, or -1 when no data follows (ENXIO). */
    public long seekData(final long offset) throws IOException {
        return seek("SEEK_DATA", SEEK_DATA, offset);
    }

    /**
     * lseek SEEK_HOLE: the first hole offset at or after {@code offset}; the file size counts as a hole, so this
     * returns the size when only data follows. Returns -1 when {@code offset} is at or past the end (ENXIO).
     */
    public long seekHole(final long offset) throws IOException {
        return seek("SEEK_HOLE", SEEK_HOLE, offset);
    }

    /** posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL): larger read-ahead for the whole file. */
    public void adviseSequential() throws IOException {
        advise("POSIX_FADV_SEQUENTIAL", 0, 0, POSIX_FADV_SEQUENTIAL);
    }

    /** posix_fadvise POSIX_FADV_DONTNEED: drop clean cached pages of the range (length 0 = to the end). */
    public void adviseDontNeed(final long offset, final long length) throws IOException {
        advise("POSIX_FADV_DONTNEED", offset, length, POSIX_FADV_DONTNEED);
    }

    /**
     * Closes the descriptor; later calls do nothing. The descriptor is released even when close(2) reports an
     * error (Linux never leaves it open), so the error is thrown but not retried.
     */
    @Override
    public void close() throws IOException {
        final int fd = this.fd;
        if (fd < 0) {
            return;
        }
        this.fd = CLOSED;
        final MemorySegment capture = LibC.captureState();
        if (LibC.close(capture, fd) < 0 && LibC.errno(capture) != Errno.EINTR) {
            throw NativeIOException.of("close", pathText, "", LibC.errno(capture));
        }
    }

    @Override
    public String toString() {
        return "LinuxFile[" + pathText + ", fd=" + fd + (direct ? ", O_DIRECT]" : "]");
    }

    /** ioctl(2) with a pointer argument; {@code description} names the request and its value for messages. */
    void ioctl(final long request, final MemorySegment argument, final String description) throws IOException {
        final int fd = openFd("ioctl", -1, -1);
        final MemorySegment capture = LibC.captureState();
        while (LibC.ioctl(capture, fd, request, argument) < 0) {
            failUnlessInterrupted("ioctl", capture, description);
        }
    }

    private long preadChecked(final MemorySegment dst, final long length, final long fileOffset)
        throws IOException {
        final int fd = openFd("pread", fileOffset, length);
        final MemorySegment capture = LibC.captureState();
        long n;
        do {
            n = LibC.pread(capture, fd, dst, length, fileOffset);
        } while (n < 0 && LibC.errno(capture) == Errno.EINTR);
        if (n < 0) {
            throw NativeIOException.of("pread", pathText, range(fileOffset, length), LibC.errno(capture));
        }
        return n;
    }

    private long seek(final String whenceName, final int whence, final long offset) throws IOException {
        final int fd = openFd("lseek", offset, -1);
        final MemorySegment capture = LibC.captureState();
        final long result = LibC.lseek(capture, fd, offset, whence);
        if (result >= 0) {
            return result;
        }
        final int errno = LibC.errno(capture);
        if (errno == Errno.ENXIO) {
            return -1;
        }
        throw NativeIOException.of("lseek", pathText, "offset=" + offset + ", whence=" + whenceName, errno);
    }

    private void advise(final String adviceName, final long offset, final long length, final int advice)
        throws IOException {
        final int fd = openFd("posix_fadvise", offset, length);
        final int error = LibC.posixFadvise(fd, offset, length, advice);
        if (error != 0) {
            throw NativeIOException.of("posix_fadvise", pathText, range(offset, length) + ", advice=" + adviceName,
                error);
        }
    }

    private MemorySegment statx(final Arena arena, final String operation) throws IOException {
        final int fd = openFd(operation, -1, -1);
        final MemorySegment capture = LibC.captureState();
        final MemorySegment stat = arena.allocate(STATX_STRUCT_SIZE, 8);
        while (LibC.fstatx(capture, fd, STATX_TYPE | STATX_MODE | STATX_SIZE, stat) < 0) {
            failUnlessInterrupted("statx", capture, "AT_EMPTY_PATH, mask=STATX_TYPE|STATX_MODE|STATX_SIZE");
        }
        return stat;
    }

    /** Returns normally on EINTR so the caller's loop retries; throws for any other errno. */
    private void failUnlessInterrupted(final String call, final MemorySegment capture, final String arguments)
        throws NativeIOException {
        final int errno = LibC.errno(capture);
        if (errno != Errno.EINTR) {
            throw NativeIOException.of(call, pathText, arguments, errno);
        }
    }

    /** The descriptor, or a "file is closed" EBADF exception naming the call (offset/length -1 = not shown). */
    private int openFd(final String call, final long offset, final long length) throws NativeIOException {
        final int fd = this.fd;
        if (fd < 0) {
            final String arguments = offset < 0 ? "" : length < 0 ? "offset=" + offset : range(offset, length);
            throw new NativeIOException(call, pathText, arguments, Errno.EBADF, "file is closed");
        }
        return fd;
    }

    private static void checkArguments(final MemorySegment segment, final long length, final long fileOffset,
                                       final boolean kernelWrites) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment must be native (off-heap), not a heap segment");
        }
        if (kernelWrites && segment.isReadOnly()) {
            throw new IllegalArgumentException("segment is read-only; the kernel would write into it");
        }
        if (length < 0 || length > segment.byteSize()) {
            throw new IllegalArgumentException(
                "length " + length + " is outside the segment's " + segment.byteSize() + " bytes");
        }
        if (fileOffset < 0) {
            throw new IllegalArgumentException("negative file offset " + fileOffset);
        }
    }

    private static String range(final long offset, final long length) {
        return "offset=" + offset + ", length=" + length;
    }
}
