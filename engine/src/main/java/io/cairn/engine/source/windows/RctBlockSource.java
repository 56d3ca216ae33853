package io.cairn.engine.source.windows;

import io.cairn.engine.source.BlockSource;
import io.cairn.nativeio.windows.ChangeTrackingState;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A Hyper-V virtual disk (the VHDX/AVHDX of a recovery checkpoint) read through virtdisk.dll. With a previous
 * RCT id, the ranges that changed since it (windows-hyperv.md 1.4, 1.7) are its {@link #changeTracking()}, so an
 * incremental backup reads only those and takes the rest from the parent restore point (unchanged is not zero).
 * Without a previous id (first backup, or after {@link ChangeTrackingBaseLostException}) there is no tracking and
 * every block is read. The whole disk is reported as data (virtdisk gives no allocation map here).
 *
 * <p>Reads: unbuffered, through {@link VirtualDiskApi.Disk#read}: the offset must be a multiple of the disk's
 * sector size and {@code dst} 4096-aligned; the length is rounded up to the sector size (the pipeline's buffers are
 * 4096-aligned and sized to a 4096 multiple, and the sector size is at most 4096); bytes past the end read as zeros.
 *
 * <p>Threads: {@link #read} on the reader thread; nextData/nextHole on one thread (the reader's walk); the rest on
 * the opening thread. Not run on Windows: see the package documentation.
 */
public final class RctBlockSource implements BlockSource {
    /** Ranges per QueryChangesVirtualDisk call (BAREOS-HV uses 50; 1024 is 24 KiB of native memory). */
    public static final int DEFAULT_PAGE_CAPACITY = 1024;

    private static final long BUFFER_ALIGNMENT = 4096;

    private final String path;
    private final VirtualDiskApi.Disk disk;
    private final long size;
    private final int sectorSize;
    private final ChangeTrackingState changeTracking;
    private final String previousRctId;
    private final ChangedRangeCursor changes;

    private RctBlockSource(final String path, final VirtualDiskApi.Disk disk, final long size, final int sectorSize,
                           final ChangeTrackingState changeTracking, final String previousRctId,
                           final ChangedRangeCursor changes) {
        this.path = path;
        this.disk = disk;
        this.size = size;
        this.sectorSize = sectorSize;
        this.changeTracking = changeTracking;
        this.previousRctId = previousRctId;
        this.changes = changes;
    }

    /**
     * Opens {@code path} read-only. With {@code previousRctId} null every byte is data; otherwise only what changed
     * since it, and the first page is queried here so that a lost base shows up as
     * {@link ChangeTrackingBaseLostException} before the backup starts.
     */
    public static RctBlockSource open(final VirtualDiskApi api, final String path, final String previousRctId,
                                      final int pageCapacity) throws IOException {
        final VirtualDiskApi.Disk disk = api.openReadOnly(path);
        try {
            final long size = disk.virtualSize();
            final int sectorSize = disk.sectorSize();
            if (sectorSize <= 0 || sectorSize > BUFFER_ALIGNMENT || Integer.bitCount(sectorSize) != 1) {
                throw new IOException("virtual disk " + path + " reports sector size " + sectorSize
                    + "; only powers of two up to 4096 are supported");
            }
            if (size < 0 || size % sectorSize != 0) {
                throw new IOException("virtual disk " + path + " reports size " + size
                    + ", not a multiple of its sector size " + sectorSize);
            }
            final ChangeTrackingState state = disk.changeTracking();
            ChangedRangeCursor cursor = null;
            if (previousRctId != null) {
                if (!state.enabled()) {
                    throw new ChangeTrackingBaseLostException(path, previousRctId, null);
                }
                cursor = new ChangedRangeCursor(disk, path, previousRctId, size, pageCapacity);
                cursor.nextData(0);
            }
            return new RctBlockSource(path, disk, size, sectorSize, state, previousRctId, cursor);
        } catch (final IOException | RuntimeException e) {
            try {
                disk.close();
            } catch (final IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String describe() {
        return path;
    }

    @Override
    public String identity() {
        return "hyperv-rct path=" + path + " size=" + size + " sector=" + sectorSize + " rct="
            + changeTracking.mostRecentId() + " base=" + (previousRctId == null ? "full" : previousRctId);
    }

    /** True when only ranges changed since a previous RCT id are reported as data. */
    public boolean isIncremental() {
        return previousRctId != null;
    }

    /**
     * The disk's most recent RCT id when it was opened. For the next incremental of a checkpoint, prefer the
     * reference point's {@code ResilientChangeTrackingIdentifiers} (windows-hyperv.md 1.6, 1.7).
     */
    public String changeTrackingId() {
        return changeTracking.mostRecentId();
    }

    /** QueryChangesVirtualDisk calls so far (0 for a full). */
    public long changeQueries() {
        return changes == null ? 0 : changes.queries();
    }

    @Override
    public long nextData(final long offset) {
        return offset < size ? offset : -1;
    }

    @Override
    public long nextHole(final long offset) {
        return size;
    }

    /** The ranges changed since the previous RCT id, or null for a full backup. */
    @Override
    public io.cairn.engine.source.ChangeTracking changeTracking() {
        if (changes == null) {
            return null;
        }
        final ChangedRangeCursor c = changes;
        final String name = "rct:" + previousRctId;
        return new io.cairn.engine.source.ChangeTracking() {
            @Override
            public String describe() {
                return name;
            }

            @Override
            public long nextChanged(final long offset) throws IOException {
                return c.nextData(offset);
            }

            @Override
            public long changedEnd(final long offset) throws IOException {
                final long end = c.nextHole(offset);
                return end < 0 ? size : end;
            }

            @Override
            public long changedBytes() {
                return -1; // known only after walking every page
            }
        };
    }

    @Override
    public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
        if (offset < 0 || offset % sectorSize != 0) {
            throw new IllegalArgumentException("read offset " + offset + " of " + path
                + " is not a multiple of the sector size " + sectorSize);
        }
        if (!dst.isNative() || dst.address() % BUFFER_ALIGNMENT != 0) {
            throw new IllegalArgumentException("unbuffered reads need a 4096-aligned native buffer");
        }
        final int inside = (int) Math.max(0, Math.min(length, size - offset));
        final int want = (inside + sectorSize - 1) / sectorSize * sectorSize;
        int done = 0;
        while (done < want) {
            final int n = disk.read(dst.asSlice(done, want - done), offset + done, want - done);
            if (n <= 0 || n > want - done || n % sectorSize != 0) {
                throw new IOException("read of " + path + " at offset " + (offset + done) + " returned " + n
                    + " bytes of " + (want - done) + " (disk size " + size + ")");
            }
            done += n;
        }
        if (inside < length) {
            dst.asSlice(inside, length - inside).fill((byte) 0);
        }
    }

    @Override
    public void close() throws IOException {
        disk.close();
    }
}
