package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.ChangeTrackingState;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Test double of virtdisk.dll for one disk: contents in a byte array, a list of changed ranges, and either a
 * paging model or scripted pages.
 *
 * <p>Paging model (what QueryChangesVirtualDisk documents): the ranges intersecting [offset, offset + length),
 * clipped to offset and cut at multiples of {@code splitBytes} (as a block-granular tracker would report them), up
 * to the page capacity; when the array fills before the span is examined, the processed length ends at the last
 * range returned, so the next page starts there.
 */
final class FakeVirtualDisk implements VirtualDiskApi, VirtualDiskApi.Disk {
    final byte[] bytes;
    final int sectorSize;
    final List<long[]> changes = new ArrayList<>();
    final Deque<Page> scripted = new ArrayDeque<>();
    final List<long[]> queries = new ArrayList<>();
    final List<long[]> reads = new ArrayList<>();
    ChangeTrackingState state = new ChangeTrackingState(true, false, "rctX:e59e6991:208a:44d9:ae6a:2f14351d792f:00000002");
    long splitBytes = Long.MAX_VALUE;
    IOException queryFailure;
    int shortReadBy;
    boolean closed;
    String openedPath;

    /** A scripted answer: ranges as (offset, length) pairs, and the processed length. */
    record Page(long[][] ranges, long processed) {
    }

    FakeVirtualDisk(final byte[] bytes, final int sectorSize) {
        this.bytes = bytes;
        this.sectorSize = sectorSize;
    }

    FakeVirtualDisk changed(final long offset, final long length) {
        changes.add(new long[]{offset, length});
        return this;
    }

    FakeVirtualDisk script(final long processed, final long[]... ranges) {
        scripted.add(new Page(ranges, processed));
        return this;
    }

    @Override
    public Disk openReadOnly(final String path) {
        openedPath = path;
        return this;
    }

    @Override
    public long virtualSize() {
        return bytes.length;
    }

    @Override
    public int sectorSize() {
        return sectorSize;
    }

    @Override
    public ChangeTrackingState changeTracking() {
        return state;
    }

    @Override
    public void queryChanges(final String changeTrackingId, final long byteOffset, final long byteLength,
                             final ChangedRangePage page) throws IOException {
        queries.add(new long[]{byteOffset, byteLength});
        if (queryFailure != null) {
            throw queryFailure;
        }
        if (queries.size() > 100_000) {
            throw new AssertionError("the source keeps querying: " + queries.size() + " calls");
        }
        page.clear();
        if (!scripted.isEmpty()) {
            final Page p = scripted.poll();
            for (final long[] r : p.ranges()) {
                page.add(r[0], r[1]);
            }
            page.processedLength(p.processed());
            return;
        }
        final long end = byteOffset + byteLength;
        for (final long[] c : changes) {
            long from = Math.max(c[0], byteOffset);
            final long to = Math.min(c[0] + c[1], end);
            while (from < to) {
                final long cut = Math.min(to, (from / splitBytes + 1) * splitBytes);
                if (page.count() == page.capacity()) {
                    page.processedLength(page.byteOffset(page.count() - 1) + page.byteLength(page.count() - 1)
                        - byteOffset);
                    return;
                }
                page.add(from, cut - from);
                from = cut;
            }
        }
        page.processedLength(byteLength);
    }

    @Override
    public int read(final MemorySegment dst, final long offset, final int length) {
        reads.add(new long[]{offset, length});
        if (offset % sectorSize != 0 || length % sectorSize != 0 || dst.address() % 4096 != 0) {
            throw new AssertionError("unaligned unbuffered read: offset=" + offset + " length=" + length);
        }
        final int n = (int) Math.max(0, Math.min(length, bytes.length - offset)) - shortReadBy;
        MemorySegment.copy(bytes, (int) offset, dst, JAVA_BYTE, 0, Math.max(n, 0));
        return n;
    }

    @Override
    public void close() {
        closed = true;
    }
}
