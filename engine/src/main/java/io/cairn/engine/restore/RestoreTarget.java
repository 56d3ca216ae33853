package io.cairn.engine.restore;

import io.cairn.engine.restore.vhdx.VhdxWriter;
import io.cairn.format.Durable;
import io.cairn.nativeio.LinuxFile;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a restore writes. A regular file is written as {@code NAME.cairn-partial} (sparse: zero blocks are
 * never written), synced and renamed to NAME at the end, so NAME never holds a half-restored disk. A block
 * device is written in place, zero blocks included. With {@link RestoreFormat#VHDX} the file is a dynamic VHDX
 * (only non-zero blocks allocated), finished and synced before the same rename.
 * <p>
 * Threads: {@link #write} from several restore threads at once (positional writes; the VHDX writer takes a lock
 * only when it allocates a payload block).
 */
final class RestoreTarget implements AutoCloseable {
    private final Path target;
    private final Path writePath;
    private final LinuxFile file;
    private final VhdxWriter vhdx;
    private final boolean blockDevice;

    private RestoreTarget(final Path target, final Path writePath, final LinuxFile file, final VhdxWriter vhdx,
                          final boolean blockDevice) {
        this.target = target;
        this.writePath = writePath;
        this.file = file;
        this.vhdx = vhdx;
        this.blockDevice = blockDevice;
    }

    static RestoreTarget open(final Path target, final long size, final boolean force, final RestoreFormat format)
            throws IOException {
        if (Files.isDirectory(target)) {
            throw new IOException("restore target " + target + " is a directory; give a file or block device path");
        }
        if (Files.exists(target)) {
            final LinuxFile probe = LinuxFile.openWrite(target, false, false);
            if (probe.isBlockDevice()) {
                final long devSize = probe.size();
                if (devSize < size) {
                    probe.close();
                    throw new IOException("block device " + target + " holds " + devSize + " bytes, less than the "
                            + size + " bytes of the disk to restore");
                }
                if (format == RestoreFormat.VHDX) {
                    probe.close();
                    throw new IOException("cannot write a VHDX file onto block device " + target
                            + "; restore it raw or give a file path");
                }
                return new RestoreTarget(target, target, probe, null, true);
            }
            probe.close();
            if (!force) {
                throw new FileAlreadyExistsException(target.toString(), null,
                        "restore target exists; remove it or pass --force to replace it");
            }
        }
        final Path parent = target.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new NoSuchFileException(String.valueOf(parent), null, "directory of the restore target does not exist");
        }
        final Path partial = target.resolveSibling(target.getFileName() + ".cairn-partial");
        Files.deleteIfExists(partial);
        if (format == RestoreFormat.VHDX) {
            return new RestoreTarget(target, partial, null,
                    VhdxWriter.create(partial, size, VhdxWriter.defaultBlockSize(size)), false);
        }
        final LinuxFile f = LinuxFile.openWrite(partial, true, true);
        try {
            f.truncate(size);
        } catch (IOException e) {
            f.close();
            Files.deleteIfExists(partial);
            throw e;
        }
        return new RestoreTarget(target, partial, f, null, false);
    }

    /** Writes length bytes of src at the disk offset. */
    void write(final MemorySegment src, final int length, final long offset) throws IOException {
        if (vhdx != null) {
            vhdx.write(offset, src, length);
        } else {
            file.writeFully(src, length, offset);
        }
    }

    /** Zero blocks must be written explicitly (a device holds old data; a fresh file is already sparse zeros). */
    boolean mustWriteZeros() {
        return blockDevice;
    }

    /** Syncs and, for a file, renames it into place. */
    void commit() throws IOException {
        if (vhdx != null) {
            vhdx.close(); // writes BAT and headers, fsyncs
        } else {
            file.fsync();
            file.close();
        }
        if (!blockDevice) {
            Durable.publish(writePath, target);
        }
    }

    /** Discards a partial file (a device is left as it is). */
    void abort() {
        if (vhdx != null) {
            vhdx.abandon();
        } else {
            try {
                file.close();
            } catch (IOException ignored) {
                // discarding
            }
        }
        if (!blockDevice) {
            try {
                Files.deleteIfExists(writePath);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (vhdx != null) {
            vhdx.abandon();
        } else {
            file.close();
        }
    }
}
