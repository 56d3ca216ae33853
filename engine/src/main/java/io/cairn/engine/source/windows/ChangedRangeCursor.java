package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.WindowsCallException;

import java.io.IOException;

/**
 * Walks the ranges that changed since an RCT id, one QueryChangesVirtualDisk page at a time, and answers
 * nextData/nextHole over them. Memory is one page whatever the disk size or the number of changes.
 *
 * <p>Paging (windows-hyperv.md 1.4, CB-RCT and BAREOS-HV): a query at {@code offset} over
 * {@code [offset, size)} returns up to {@code capacity} ranges and a processed length; the bytes
 * {@code [offset, offset + processed)} have been examined (the <i>window</i>) and the next query starts at its end.
 * A changed extent may continue in the next page (Windows splits it where the array filled, or reports it twice);
 * nextHole follows it across pages. Queries are positional, so a nextData before the window simply queries again
 * from there.
 *
 * <p>Validation, each a one-line IOException naming the disk: a processed length of 0 (asking again would loop
 * forever) or past the queried span; a range past the disk size, with a negative or overflowing offset; ranges
 * out of order. Zero-length ranges are ignored; overlapping and adjacent ranges are merged; a range starting before
 * the query offset is clipped to it (whether Windows ever returns one is not documented).
 *
 * <p>Threads: one thread (the backup reader).
 */
final class ChangedRangeCursor {
    private final VirtualDiskApi.Disk disk;
    private final String path;
    private final String changeTrackingId;
    private final long size;
    private final ChangedRangePage page;
    /** Merged, sorted, disjoint ranges of the current page: [starts[i], ends[i]). */
    private final long[] starts;
    private final long[] ends;
    private int count;
    private long windowStart;
    private long windowEnd;
    private boolean loaded;
    private long queries;

    ChangedRangeCursor(final VirtualDiskApi.Disk disk, final String path, final String changeTrackingId,
                       final long size, final int pageCapacity) {
        this.disk = disk;
        this.path = path;
        this.changeTrackingId = changeTrackingId;
        this.size = size;
        this.page = new ChangedRangePage(pageCapacity);
        this.starts = new long[pageCapacity];
        this.ends = new long[pageCapacity];
    }

    /** QueryChangesVirtualDisk calls made so far. */
    long queries() {
        return queries;
    }

    /** First changed offset at or after {@code offset}, or -1 when nothing after it changed. */
    long nextData(final long offset) throws IOException {
        long at = Math.max(offset, 0);
        if (at >= size) {
            return -1;
        }
        if (!loaded || at < windowStart) {
            load(at);
        }
        while (true) {
            final int i = firstEndingAfter(at);
            if (i < count) {
                return Math.max(starts[i], at);
            }
            // nothing changed in [at, windowEnd): continue with the next page
            at = Math.max(at, windowEnd);
            if (at >= size) {
                return -1;
            }
            load(at);
        }
    }

    /** End of the changed extent containing {@code offset}; {@code offset} itself when it did not change. */
    long nextHole(final long offset) throws IOException {
        if (offset >= size) {
            return size;
        }
        if (!loaded || offset < windowStart) {
            load(offset);
        }
        int i = firstEndingAfter(offset);
        if (i >= count || starts[i] > offset) {
            if (offset < windowEnd) {
                return offset;
            }
            // past this window: only a fresh page can tell
            load(offset);
            i = firstEndingAfter(offset);
            if (i >= count || starts[i] > offset) {
                return offset;
            }
        }
        long end = ends[i];
        int next = i + 1;
        while (true) {
            for (; next < count; next++) {
                if (starts[next] > end) {
                    return end;
                }
                end = Math.max(end, ends[next]);
            }
            if (end < windowEnd || windowEnd >= size) {
                return Math.min(end, size);
            }
            // the extent reaches the end of what this page examined: it may continue in the next one
            load(windowEnd);
            next = 0;
        }
    }

    /** Index of the first merged range with end > at, or count. Ends are strictly increasing. */
    private int firstEndingAfter(final long at) {
        int low = 0;
        int high = count;
        while (low < high) {
            final int mid = (low + high) >>> 1;
            if (ends[mid] > at) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    private void load(final long offset) throws IOException {
        final long length = size - offset;
        page.clear();
        queries++;
        try {
            disk.queryChanges(changeTrackingId, offset, length, page);
        } catch (final WindowsCallException e) {
            if (e.isChangeTrackingBaseLost()) {
                throw new ChangeTrackingBaseLostException(path, changeTrackingId, e);
            }
            throw e;
        }
        final long processed = page.processedLength();
        if (processed <= 0) {
            throw new IOException("QueryChangesVirtualDisk(" + path + ", offset=" + offset + ", length=" + length
                + ") made no progress (processed length " + processed + " with " + page.count()
                + " ranges); stopping instead of asking again");
        }
        if (processed > length) {
            throw new IOException("QueryChangesVirtualDisk(" + path + ", offset=" + offset + ", length=" + length
                + ") reported processed length " + processed + " beyond the queried range");
        }
        int merged = 0;
        long previousStart = Long.MIN_VALUE;
        for (int r = 0; r < page.count(); r++) {
            final long start = page.byteOffset(r);
            final long rangeLength = page.byteLength(r);
            if (start < 0 || rangeLength < 0 || start > size || rangeLength > size - start) {
                throw new IOException("QueryChangesVirtualDisk(" + path + ", offset=" + offset + ") returned range"
                    + " [offset=" + start + ", length=" + rangeLength + "] beyond the disk size " + size);
            }
            if (start < previousStart) {
                throw new IOException("QueryChangesVirtualDisk(" + path + ", offset=" + offset + ") returned ranges"
                    + " out of order: " + start + " after " + previousStart);
            }
            previousStart = start;
            final long end = start + rangeLength;
            final long clipped = Math.max(start, offset);
            if (end <= clipped) {
                continue;
            }
            if (merged > 0 && clipped <= ends[merged - 1]) {
                ends[merged - 1] = Math.max(ends[merged - 1], end);
            } else {
                starts[merged] = clipped;
                ends[merged] = end;
                merged++;
            }
        }
        count = merged;
        windowStart = offset;
        windowEnd = offset + processed;
        loaded = true;
    }
}
