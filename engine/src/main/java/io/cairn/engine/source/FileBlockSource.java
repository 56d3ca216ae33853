package io.cairn.engine.source;

import io.cairn.nativeio.AlignedBuffers;
import io.cairn.nativeio.CompletionHandler;
import io.cairn.nativeio.Errno;
import io.cairn.nativeio.IoUring;
import io.cairn.nativeio.LinuxFile;
import io.cairn.nativeio.NativeIOException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * A raw disk image file or a block device, read with O_DIRECT where the file system allows it (so a backup
 * does not evict the page cache), with holes found by SEEK_DATA/SEEK_HOLE and skipped unread.
 * <p>
 * {@link #asyncReader(int)} keeps several reads in flight through io_uring ({@link IoUring}) when the kernel
 * allows it; set the system property {@code cairn.io_uring=false} to read synchronously with pread instead.
 */
public final class FileBlockSource implements BlockSource {
    /** System property: {@code false} turns io_uring off (for comparisons, or a kernel that misbehaves). */
    public static final String IO_URING_PROPERTY = "cairn.io_uring";

    private final Path path;
    private final LinuxFile file;
    private final long size;
    private final boolean blockDevice;
    private final String identity;

    private FileBlockSource(final Path path, final LinuxFile file, final long size, final boolean blockDevice,
                            final String identity) {
        this.path = path;
        this.file = file;
        this.size = size;
        this.blockDevice = blockDevice;
        this.identity = identity;
    }

    /** Opens a regular file or block device read-only; a clear IOException when it is missing or unreadable. */
    public static FileBlockSource open(final Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "source does not exist");
        }
        if (Files.isDirectory(path)) {
            throw new IOException("source " + path + " is a directory, not a disk image or block device");
        }
        final LinuxFile f = LinuxFile.openRead(path, true);
        try {
            final boolean dev = f.isBlockDevice();
            if (!dev && !Files.isRegularFile(path)) {
                throw new IOException("source " + path + " is neither a regular file nor a block device");
            }
            final long size = f.size();
            String identity;
            try {
                final BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                final Object key = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                final Object dev1 = Files.getAttribute(path, "unix:dev");
                identity = (dev ? "blockdev" : "file") + " dev=" + dev1 + " ino=" + key + " size=" + size
                        + " mtime=" + a.lastModifiedTime();
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                identity = (dev ? "blockdev" : "file") + " size=" + size;
            }
            if (!dev) {
                f.adviseSequential();
            }
            return new FileBlockSource(path, f, size, dev, identity);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public String identity() {
        return identity;
    }

    /** Whether reads bypass the page cache. */
    public boolean isDirect() {
        return file.isDirect();
    }

    /** lseek(SEEK_DATA/SEEK_HOLE) keeps no position between calls, and reads are positional. */
    @Override
    public boolean readsInAnyOrder() {
        return true;
    }

    @Override
    public long nextData(final long offset) throws IOException {
        if (blockDevice) {
            return offset;
        }
        final long data = file.seekData(offset);
        if (data < 0 && offset < size) {
            // "only holes follow" is also what SEEK_DATA says past the end of a file that shrank since open():
            // without this check the lost tail would be backed up as zeros (read() reports the same as an error)
            final long now = file.size();
            if (now < size) {
                throw new IOException("source " + path + " shrank during the backup: " + now + " bytes now, "
                        + size + " when opened");
            }
        }
        return data;
    }

    @Override
    public long nextHole(final long offset) throws IOException {
        if (blockDevice) {
            return size;
        }
        return Math.min(size, file.seekHole(offset));
    }

    @Override
    public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
        final long n = file.readFully(dst, transferLength(length), offset);
        finishRead(dst, offset, length, n);
    }

    /**
     * io_uring with up to {@code depth} reads in flight; empty when io_uring is unavailable (kernel, seccomp,
     * sysctl), cannot be set up (e.g. ENOMEM under a small RLIMIT_MEMLOCK on kernels before 5.12), or is turned
     * off with {@code -Dcairn.io_uring=false}.
     */
    @Override
    public Optional<AsyncReader> asyncReader(final int depth) throws IOException {
        if (depth < 1) {
            throw new IllegalArgumentException("depth " + depth + " < 1");
        }
        if (!Boolean.parseBoolean(System.getProperty(IO_URING_PROPERTY, "true"))) {
            return Optional.empty();
        }
        final Optional<IoUring> ring;
        try {
            ring = IoUring.open(depth);
        } catch (final NativeIOException e) {
            return Optional.empty();
        }
        return ring.map(UringReader::new);
    }

    /** The bytes to ask the kernel for: O_DIRECT needs the length rounded up to the alignment. */
    private long transferLength(final int length) {
        return file.isDirect() ? AlignedBuffers.alignUp(length) : length;
    }

    /** After {@code n} bytes of a read arrived: zero-fills past the end of the source, or reports a shrunk source. */
    private void finishRead(final MemorySegment dst, final long offset, final int length, final long n)
            throws IOException {
        if (n < length) {
            if (offset + n < size) {
                throw new IOException("short read from " + path + " at offset " + (offset + n) + ": the source shrank"
                        + " during the backup (expected " + size + " bytes)");
            }
            dst.asSlice(n, length - n).fill((byte) 0);
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /**
     * The io_uring reader: one SQE per block read, submitted at once (one io_uring_enter per read, negligible at
     * block sizes of 64 KiB and up), completions mapped back to their read by an entry number in user_data.
     * <p>
     * A completion shorter than asked before the end of the source (rare: signals, some devices) is finished with
     * synchronous reads, as {@link LinuxFile#readFully} would; EINTR and EAGAIN results are retried with
     * {@link #read}. So every read ends exactly as {@link FileBlockSource#read} would have ended.
     */
    private final class UringReader implements AsyncReader, CompletionHandler {
        private final IoUring ring;
        private final int fd;
        private final MemorySegment[] dst;
        private final long[] offset;
        private final int[] length;
        private final int[] tag;
        /** Stack of free entry numbers; {@code freeCount} of them are valid. */
        private final int[] free;
        private int freeCount;
        private IntConsumer done;

        UringReader(final IoUring ring) {
            this.ring = ring;
            this.fd = file.fd();
            final int capacity = ring.capacity();
            dst = new MemorySegment[capacity];
            offset = new long[capacity];
            length = new int[capacity];
            tag = new int[capacity];
            free = new int[capacity];
            for (int i = 0; i < capacity; i++) {
                free[i] = capacity - 1 - i;
            }
            freeCount = capacity;
        }

        @Override
        public int depth() {
            return ring.capacity();
        }

        @Override
        public int inFlight() {
            return ring.inFlight();
        }

        @Override
        public boolean submit(final MemorySegment dst, final long offset, final int length, final int tag)
                throws IOException {
            if (freeCount == 0) {
                return false;
            }
            final int entry = free[--freeCount];
            this.dst[entry] = dst;
            this.offset[entry] = offset;
            this.length[entry] = length;
            this.tag[entry] = tag;
            if (!ring.submitRead(fd, dst, (int) transferLength(length), offset, entry)) {
                free[freeCount++] = entry;
                return false;
            }
            ring.submit();
            return true;
        }

        @Override
        public int complete(final int min, final IntConsumer done) throws IOException {
            this.done = done;
            return ring.waitCompletions(min, this);
        }

        @Override
        public void onCompletion(final long userData, final int result) throws IOException {
            final int entry = (int) userData;
            final MemorySegment dst = this.dst[entry];
            final long offset = this.offset[entry];
            final int length = this.length[entry];
            final int tag = this.tag[entry];
            this.dst[entry] = null;
            free[freeCount++] = entry;
            if (result == -Errno.EINTR || result == -Errno.EAGAIN) {
                read(dst, offset, length);
            } else if (result < 0) {
                throw IoUring.readFailure(path.toString(), offset, (int) transferLength(length), result);
            } else {
                long n = result;
                final long want = transferLength(length);
                if (n < want && n > 0 && offset + n < size) {
                    // short before the end: finish synchronously (rare; the slice allocation is acceptable)
                    n += file.readFully(dst.asSlice(n), want - n, offset + n);
                }
                finishRead(dst, offset, length, n);
            }
            done.accept(tag);
        }

        @Override
        public void close() throws IOException {
            ring.close();
        }
    }
}
