package io.cairn.engine.source.nbd;

import java.io.IOException;
import java.util.Arrays;

/**
 * The changed ranges of a disk since a dirty bitmap was started, as a compact sorted run list
 * ({@code long[]} of start/end pairs, merged, non-overlapping). Read from a {@code qemu:dirty-bitmap:NAME} meta
 * context with NBD_CMD_BLOCK_STATUS: an extent is dirty when its flags have bit 0 (NBD_STATE_DIRTY).
 * <p>
 * The query methods {@link #nextDirty(long)} and {@link #dirtyEnd(long)} have the shape of
 * {@code BlockSource.nextData}/{@code nextHole}, so a reader can walk "what changed" the way it walks "where data
 * is". Immutable; safe to share between threads.
 */
public final class DirtyExtents {
    /** Bound on the runs kept (16 bytes each): a bitmap more fragmented than this is refused, not allocated. */
    public static final int MAX_RUNS = 8 * 1024 * 1024;

    private final long[] runs;
    private final int count;
    private final long size;

    private DirtyExtents(final long[] runs, final int count, final long size) {
        this.runs = runs;
        this.count = count;
        this.size = size;
    }

    /** Reads every dirty extent of the export through the given (negotiated) bitmap context. */
    public static DirtyExtents read(final NbdClient client, final int contextId) throws IOException {
        final Builder b = new Builder(client.exportSize());
        long offset = 0;
        final long size = client.exportSize();
        while (offset < size) {
            final long end = client.blockStatus(contextId, offset, size - offset, b);
            if (b.failure != null) {
                throw new IOException("dirty bitmap of " + client.address() + " " + b.failure);
            }
            offset = end;
        }
        return b.build();
    }

    /** From start/end pairs (sorted or not, overlapping or not), for tests and for callers that know the ranges. */
    public static DirtyExtents of(final long size, final long... startEndPairs) {
        if (startEndPairs.length % 2 != 0) {
            throw new IllegalArgumentException("start/end pairs expected, got " + startEndPairs.length + " values");
        }
        final long[][] pairs = new long[startEndPairs.length / 2][];
        for (int i = 0; i < pairs.length; i++) {
            final long s = startEndPairs[2 * i];
            final long e = startEndPairs[2 * i + 1];
            if (s < 0 || e < s || e > size) {
                throw new IllegalArgumentException("bad range [" + s + ", " + e + ") for size " + size);
            }
            pairs[i] = new long[]{s, e};
        }
        Arrays.sort(pairs, (x, y) -> Long.compare(x[0], y[0]));
        final Builder b = new Builder(size);
        for (long[] p : pairs) {
            if (p[1] > p[0]) {
                b.add(p[0], p[1]);
            }
        }
        return b.build();
    }

    /** Number of runs. */
    public int count() {
        return count;
    }

    /** Start of run i. */
    public long start(final int i) {
        return runs[2 * checkIndex(i)];
    }

    /** End (exclusive) of run i. */
    public long end(final int i) {
        return runs[2 * checkIndex(i) + 1];
    }

    /** Size of the disk the extents belong to. */
    public long size() {
        return size;
    }

    /** Total dirty bytes. */
    public long dirtyBytes() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += runs[2 * i + 1] - runs[2 * i];
        }
        return n;
    }

    /** Start of the first dirty byte at or after offset, or -1 when nothing after it changed. */
    public long nextDirty(final long offset) {
        final int i = runAtOrAfter(offset);
        return i < 0 ? -1 : Math.max(offset, runs[2 * i]);
    }

    /** End of the dirty run containing offset, or offset itself when offset is clean. */
    public long dirtyEnd(final long offset) {
        final int i = runAtOrAfter(offset);
        return i >= 0 && runs[2 * i] <= offset ? runs[2 * i + 1] : offset;
    }

    /** True when any byte of [from, to) is dirty. */
    public boolean isDirty(final long from, final long to) {
        final long d = nextDirty(from);
        return d >= 0 && d < to;
    }

    /** The same ranges widened to whole blocks (what a block-level backup must re-read). */
    public DirtyExtents alignedTo(final int blockSize) {
        final Builder b = new Builder(size);
        for (int i = 0; i < count; i++) {
            final long s = runs[2 * i] / blockSize * blockSize;
            final long e = Math.min(size, (runs[2 * i + 1] + blockSize - 1) / blockSize * blockSize);
            b.add(s, e);
        }
        return b.build();
    }

    /** First run whose end is past offset, or -1. */
    private int runAtOrAfter(final long offset) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (runs[2 * mid + 1] <= offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < count ? lo : -1;
    }

    private int checkIndex(final int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("run " + i + " of " + count);
        }
        return i;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("DirtyExtents[");
        for (int i = 0; i < Math.min(count, 16); i++) {
            sb.append(i == 0 ? "" : " ").append('[').append(runs[2 * i]).append(", ").append(runs[2 * i + 1])
                    .append(')');
        }
        return sb.append(count > 16 ? " ... " + count + " runs]" : "]").toString();
    }

    /** Collects sorted runs, merging touching ones; also the extent handler of {@link #read}. */
    private static final class Builder implements NbdClient.ExtentHandler {
        private final long size;
        private long[] runs = new long[64];
        private int count;
        private String failure;

        Builder(final long size) {
            this.size = size;
        }

        @Override
        public void extent(final long offset, final long length, final int flags) {
            if ((flags & NbdClient.STATE_DIRTY) != 0 && failure == null) {
                add(offset, offset + length);
            }
        }

        void add(final long start, final long end) {
            if (count > 0 && runs[2 * count - 1] >= start) {
                runs[2 * count - 1] = Math.max(runs[2 * count - 1], end);
                return;
            }
            if (count == MAX_RUNS) {
                failure = "has more than " + MAX_RUNS + " separate dirty runs";
                return;
            }
            if (2 * count == runs.length) {
                runs = Arrays.copyOf(runs, Math.min(runs.length * 2, 2 * MAX_RUNS));
            }
            runs[2 * count] = start;
            runs[2 * count + 1] = end;
            count++;
        }

        DirtyExtents build() {
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            return new DirtyExtents(Arrays.copyOf(runs, 2 * count), count, size);
        }
    }
}
