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
import java.nio.file.StandardCopyOption;

/**
 * Where a restore writes. A regular file is written as {@code NAME.cairn-partial} (sparse: zero blocks are
 * never written), synced and renamed to NAME at the end, so NAME never holds a half-restored disk. A block
 * device is written in place, zero blocks included. With {@link RestoreFormat#VHDX} the file is a dynamic VHDX
 * (only non-zero blocks allocated), finished and synced before the same rename.
 * <p>
 * Raw files and devices are written with O_DIRECT where the file system allows it: the data goes to the device
 * while the restore runs instead of piling up in the page cache for the final fdatasync (measured on the build
 * machine: 1.6 GB written direct in 1.3-2.5 s, buffered then fdatasync in 4.3-5.4 s). O_DIRECT needs 4096-aligned
 * offsets, lengths and addresses: callers pass aligned buffers and block offsets, and the unaligned end of a
 * disk whose size is not a multiple of 4096 goes through a second, buffered descriptor of the same file.
 * <p>
 * O_DIRECT data still sits in the device's volatile write cache until a flush (on this VM: the host's page
 * cache), so every target is also synced in the background every {@code syncIntervalBytes} written (see
 * {@link RestoreSyncer}); the final sync in {@link #commit()} then only flushes the last interval.
 * <p>
 * Threads: one writer thread (the restore's writer stage); the background syncs on the syncer's thread, which
 * {@link #commit()}, {@link #abort()} and {@link #close()} stop before closing the file.
 */
final class RestoreTarget implements AutoCloseable {
    private static final int ALIGNMENT = 4096;
    private final Path target;
    private final Path writePath;
    private final LinuxFile file;
    private final VhdxWriter vhdx;
    private final boolean blockDevice;
    /** False: no syncs at all ({@code --no-sync}), still O_DIRECT; the VHDX writer still syncs its file. */
    private final boolean durable;
    /** Buffered descriptor for the unaligned end of the disk, opened on first use (direct {@link #file} only). */
    private LinuxFile tailFile;
    /** Null when background syncs are off. */
    private RestoreSyncer syncer;
    private long written;
    private long syncNs;

    private RestoreTarget(final Path target, final Path writePath, final LinuxFile file, final VhdxWriter vhdx,
                          final boolean blockDevice, final boolean durable) {
        this.durable = durable;
        this.target = target;
        this.writePath = writePath;
        this.file = file;
        this.vhdx = vhdx;
        this.blockDevice = blockDevice;
    }

    /**
     * Opens the target and starts its background syncs.
     *
     * @param syncIntervalBytes bytes written between background syncs; {@link Long#MAX_VALUE} for none
     */
    static RestoreTarget open(final Path target, final long size, final boolean force, final RestoreFormat format,
                              final long syncIntervalBytes) throws IOException {
        return open(target, size, force, format, syncIntervalBytes, true);
    }

    /**
     * @param durable false: raw files and devices are never synced (no background syncs whatever the interval, no
     *                final fdatasync, a plain rename); they are still written with O_DIRECT where allowed
     */
    static RestoreTarget open(final Path target, final long size, final boolean force, final RestoreFormat format,
                              final long syncIntervalBytes, final boolean durable) throws IOException {
        final RestoreTarget t = open(target, size, force, format, durable);
        if (!durable) {
            return t;
        }
        if (syncIntervalBytes != Long.MAX_VALUE) {
            final RestoreSyncer.SyncAction sync = t.vhdx != null ? t.vhdx::syncData : t.file::fdatasync;
            t.syncer = new RestoreSyncer(sync, syncIntervalBytes);
        }
        return t;
    }

    private static RestoreTarget open(final Path target, final long size, final boolean force,
                                      final RestoreFormat format, final boolean durable) throws IOException {
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
                probe.close();
                return new RestoreTarget(target, target, LinuxFile.openWriteDirect(target, false, false), null, true,
                        durable);
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
                    VhdxWriter.create(partial, size, VhdxWriter.defaultBlockSize(size)), false, true);
        }
        final LinuxFile f = LinuxFile.openWriteDirect(partial, true, true);
        try {
            f.truncate(size);
        } catch (IOException e) {
            f.close();
            Files.deleteIfExists(partial);
            throw e;
        }
        return new RestoreTarget(target, partial, f, null, false, durable);
    }

    /**
     * Writes length bytes of src (from its start) at the disk offset. For a direct file, src's address and the
     * offset must be 4096-aligned; a length that is not (the end of the disk) is finished through a buffered
     * descriptor.
     */
    void write(final MemorySegment src, final long length, final long offset) throws IOException {
        if (vhdx != null) {
            vhdx.write(offset, src, length);
        } else if (!file.isDirect() || (length & (ALIGNMENT - 1)) == 0) {
            file.writeFully(src, length, offset);
        } else {
            writeUnalignedEnd(src, length, offset);
        }
        if (syncer != null) {
            written += length;
            syncer.wrote(written);
        }
    }

    /** Cold path: once per restore at most, for a disk size that is not a multiple of 4096. */
    private void writeUnalignedEnd(final MemorySegment src, final long length, final long offset)
            throws IOException {
        final long aligned = length & -ALIGNMENT;
        if (aligned > 0) {
            file.writeFully(src, aligned, offset);
        }
        if (tailFile == null) {
            tailFile = LinuxFile.openWrite(writePath, false, false);
        }
        tailFile.writeFully(src.asSlice(aligned), length - aligned, offset + aligned);
    }

    /** True when writes bypass the page cache (O_DIRECT). */
    boolean isDirect() {
        return file != null && file.isDirect();
    }

    /** Nanoseconds the final sync took in {@link #commit()} (0 before). */
    long syncNs() {
        return syncNs;
    }

    /** Zero blocks must be written explicitly (a device holds old data; a fresh file is already sparse zeros). */
    boolean mustWriteZeros() {
        return blockDevice;
    }

    /** Background syncs completed (0 before {@link #commit()}). */
    long backgroundSyncs() {
        return syncer == null ? 0 : syncer.syncs();
    }

    /** Nanoseconds of background syncs, overlapping the restore (0 before {@link #commit()}). */
    long backgroundSyncNs() {
        return syncer == null ? 0 : syncer.syncNs();
    }

    /**
     * Syncs (one fdatasync of everything written, after the background syncs stopped: durability of the restored
     * disk) and, for a file, renames it into place. A background sync's failure fails the commit.
     */
    void commit() throws IOException {
        final long t0 = System.nanoTime();
        if (syncer != null) {
            syncer.finish(); // waits for a sync in flight; rethrows a background failure
        }
        if (vhdx != null) {
            vhdx.close(); // writes BAT and headers, fsyncs
        } else {
            if (durable) {
                file.fdatasync(); // covers the tail descriptor's pages too: the sync is per inode
            }
            closeFiles();
        }
        syncNs = System.nanoTime() - t0;
        if (!blockDevice) {
            if (durable) {
                Durable.publish(writePath, target);
            } else {
                Files.move(writePath, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Discards a partial file (a device is left as it is). */
    void abort() {
        stopSyncer();
        if (vhdx != null) {
            vhdx.abandon();
        } else {
            try {
                closeFiles();
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

    private void stopSyncer() {
        if (syncer != null) {
            syncer.abandon();
        }
    }

    private void closeFiles() throws IOException {
        try {
            if (tailFile != null) {
                tailFile.close();
            }
        } finally {
            file.close();
        }
    }

    @Override
    public void close() throws IOException {
        stopSyncer();
        if (vhdx != null) {
            vhdx.abandon();
        } else {
            closeFiles();
        }
    }
}
