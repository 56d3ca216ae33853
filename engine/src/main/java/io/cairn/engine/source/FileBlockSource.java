package io.cairn.engine.source;

import io.cairn.nativeio.AlignedBuffers;
import io.cairn.nativeio.LinuxFile;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A raw disk image file or a block device, read with O_DIRECT where the file system allows it (so a backup
 * does not evict the page cache), with holes found by SEEK_DATA/SEEK_HOLE and skipped unread.
 */
public final class FileBlockSource implements BlockSource {
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
        final long want = file.isDirect() ? AlignedBuffers.alignUp(length) : length;
        final long n = file.readFully(dst, want, offset);
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
}
