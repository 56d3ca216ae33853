package io.cairn.engine.source.nbd;

import io.cairn.engine.source.BlockSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An NBD export as a backup source: {@link #read} is NBD_CMD_READ into the caller's segment, and
 * {@link #nextData}/{@link #nextHole} come from the {@code base:allocation} meta context. An extent whose flags
 * include NBD_STATE_ZERO reads as zeros and counts as a hole (skipped unread); NBD_STATE_HOLE alone (unallocated,
 * contents unspecified) counts as data. Block status is fetched once per run of up to {@value #CACHE_EXTENTS}
 * merged extents and answered from that cache.
 * <p>
 * Optionally a dirty bitmap's context is negotiated on the same connection, for {@link #dirtyExtents()}.
 * <p>
 * Threads: one NBD connection, one request at a time; the methods are {@code synchronized} (uncontended in the
 * pipeline, where the reader thread makes every call, and cheap next to a socket round trip).
 */
public final class NbdBlockSource implements BlockSource {
    private io.cairn.engine.source.ChangeTracking tracking;
    static final int CACHE_EXTENTS = 4096;

    private final NbdClient client;
    private final long size;
    private final int allocationContext;
    private final String bitmap;
    private final ExtentCache cache = new ExtentCache();

    private NbdBlockSource(final NbdClient client, final String bitmap) {
        this.client = client;
        this.size = client.exportSize();
        this.allocationContext = client.contextId(NbdClient.BASE_ALLOCATION);
        this.bitmap = bitmap;
    }

    /** Opens the export with base:allocation. */
    public static NbdBlockSource open(final NbdAddress address) throws IOException {
        return open(address, null, NbdClient.DEFAULT_TIMEOUT);
    }

    /**
     * Opens the export with base:allocation and, when bitmap is not null, the context of that QEMU dirty bitmap
     * (an IOException naming it when the export does not carry it).
     */
    public static NbdBlockSource open(final NbdAddress address, final String bitmap, final java.time.Duration timeout)
            throws IOException {
        final List<String> contexts = new ArrayList<>();
        contexts.add(NbdClient.BASE_ALLOCATION);
        if (bitmap != null) {
            contexts.add(NbdClient.dirtyBitmapContext(bitmap));
        }
        return new NbdBlockSource(NbdClient.connect(address, contexts, timeout), bitmap);
    }

    /** The connection, for block status queries of other contexts. */
    public NbdClient client() {
        return client;
    }

    /** The dirty ranges of the bitmap given to {@link #open(NbdAddress, String, java.time.Duration)}. */
    public synchronized DirtyExtents dirtyExtents() throws IOException {
        if (bitmap == null) {
            throw new IllegalStateException("no dirty bitmap was negotiated for " + client.address());
        }
        return DirtyExtents.read(client, client.contextId(NbdClient.dirtyBitmapContext(bitmap)));
    }

    /** The negotiated dirty bitmap as change tracking (null without a bitmap); read once, then cached. */
    @Override
    public synchronized io.cairn.engine.source.ChangeTracking changeTracking() throws IOException {
        if (bitmap == null) {
            return null;
        }
        if (tracking == null) {
            final DirtyExtents d = dirtyExtents();
            final String name = "dirty-bitmap:" + bitmap;
            tracking = new io.cairn.engine.source.ChangeTracking() {
                @Override
                public String describe() {
                    return name;
                }

                @Override
                public long nextChanged(final long offset) {
                    return d.nextDirty(offset);
                }

                @Override
                public long changedEnd(final long offset) {
                    return d.dirtyEnd(offset);
                }

                @Override
                public long changedBytes() {
                    return d.dirtyBytes();
                }
            };
        }
        return tracking;
    }

    /** The bitmap negotiated at open, or null. */
    public String bitmap() {
        return bitmap;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String describe() {
        return client.address().toString();
    }

    @Override
    public String identity() {
        return "nbd " + client.address() + " size=" + size + (bitmap == null ? "" : " bitmap=" + bitmap);
    }

    @Override
    public synchronized long nextData(final long offset) throws IOException {
        long at = offset;
        while (at < size) {
            cache.fill(at);
            final long data = cache.nextData(at);
            if (data >= 0) {
                return data;
            }
            at = cache.to();
        }
        return -1;
    }

    @Override
    public synchronized long nextHole(final long offset) throws IOException {
        long at = offset;
        while (at < size) {
            cache.fill(at);
            final long hole = cache.nextHole(at);
            if (hole >= 0) {
                return hole;
            }
            at = cache.to();
        }
        return size;
    }

    @Override
    public synchronized void read(final MemorySegment dst, final long offset, final int length) throws IOException {
        final int inside = (int) Math.max(0, Math.min(length, size - offset));
        if (inside > 0) {
            client.read(dst, offset, inside);
        }
        if (inside < length) {
            dst.asSlice(inside, length - inside).fill((byte) 0); // only the disk's last block: not per block
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    /**
     * Merged base:allocation extents (data or zero) from one block status reply. Filled through the
     * {@link NbdClient.ExtentHandler} callback, so no object per extent.
     */
    private final class ExtentCache implements NbdClient.ExtentHandler {
        private final long[] ends = new long[CACHE_EXTENTS];
        private final boolean[] zero = new boolean[CACHE_EXTENTS];
        private long from;
        private long to;
        private int count;
        private boolean full;

        void fill(final long offset) throws IOException {
            if (offset >= from && offset < to) {
                return;
            }
            if (allocationContext < 0) { // cannot tell: everything is data
                from = 0;
                to = size;
                count = 1;
                ends[0] = size;
                zero[0] = false;
                return;
            }
            from = offset;
            count = 0;
            full = false;
            final long end = client.blockStatus(allocationContext, offset, size - offset, this);
            to = full ? ends[count - 1] : Math.min(end, size);
        }

        @Override
        public void extent(final long offset, final long length, final int flags) {
            final boolean z = (flags & NbdClient.STATE_ZERO) != 0;
            if (count > 0 && zero[count - 1] == z) {
                if (!full) {
                    ends[count - 1] = offset + length;
                }
                return;
            }
            if (count == CACHE_EXTENTS) {
                full = true;
                return;
            }
            if (full) {
                return;
            }
            zero[count] = z;
            ends[count] = offset + length;
            count++;
        }

        long to() {
            return to;
        }

        /** First data offset at or after offset inside the cached range, or -1. */
        long nextData(final long offset) {
            for (int i = index(offset); i < count; i++) {
                if (!zero[i]) {
                    return Math.max(offset, i == 0 ? from : ends[i - 1]);
                }
            }
            return -1;
        }

        /** First zero offset at or after offset inside the cached range, or -1. */
        long nextHole(final long offset) {
            for (int i = index(offset); i < count; i++) {
                if (zero[i]) {
                    return Math.max(offset, i == 0 ? from : ends[i - 1]);
                }
            }
            return to >= size ? size : -1;
        }

        private int index(final long offset) {
            int lo = 0;
            int hi = count - 1;
            while (lo < hi) { // first extent whose end is past offset
                final int mid = (lo + hi) >>> 1;
                if (ends[mid] <= offset) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
