package io.cairn.nativeio.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The caller-owned buffers of one {@code QueryChangesVirtualDisk} call, allocated once and reused for every page:
 * an array of {@code capacity} QUERY_CHANGES_VIRTUAL_DISK_RANGE (24 bytes each), the {@code ULONG RangeCount}
 * (in: capacity, out: ranges filled) and the {@code ULONG64 ProcessedLength} (out).
 *
 * <p>Threads: one thread at a time (the buffers are shared with the call).
 */
public final class QueryChangesBuffer {
    private final int capacity;
    private final MemorySegment ranges;
    private final MemorySegment rangeCount;
    private final MemorySegment processedLength;

    /** Allocates room for {@code capacity} ranges in {@code arena}. */
    public QueryChangesBuffer(final Arena arena, final int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.ranges = arena.allocate(MemoryLayout.sequenceLayout(capacity,
            VirtDiskLayouts.QUERY_CHANGES_VIRTUAL_DISK_RANGE));
        this.rangeCount = arena.allocate(JAVA_INT);
        this.processedLength = arena.allocate(JAVA_LONG);
    }

    /** How many ranges fit. */
    public int capacity() {
        return capacity;
    }

    /** Sets RangeCount to the capacity and ProcessedLength to 0, as a call expects them. */
    void prepare() {
        rangeCount.set(JAVA_INT, 0, capacity);
        processedLength.set(JAVA_LONG, 0, 0L);
    }

    /** Ranges filled by the last call; IllegalStateException if Windows reported more than the capacity. */
    public int count() {
        final int count = rangeCount.get(JAVA_INT, 0);
        if (count < 0 || count > capacity) {
            throw new IllegalStateException("QueryChangesVirtualDisk reported " + Integer.toUnsignedString(count)
                + " ranges in an array of " + capacity);
        }
        return count;
    }

    /** Bytes of the queried range that the last call examined. */
    public long processedLength() {
        return processedLength.get(JAVA_LONG, 0);
    }

    /** ByteOffset of range {@code index} (virtual disk offset). */
    public long byteOffset(final int index) {
        return (long) VirtDiskLayouts.RANGE_BYTE_OFFSET.get(ranges, rangeOffset(index));
    }

    /** ByteLength of range {@code index}. */
    public long byteLength(final int index) {
        return (long) VirtDiskLayouts.RANGE_BYTE_LENGTH.get(ranges, rangeOffset(index));
    }

    /** The range array, for the call and for tests that fill it the way Windows does. */
    public MemorySegment ranges() {
        return ranges;
    }

    /** The RangeCount cell (ULONG). */
    public MemorySegment rangeCount() {
        return rangeCount;
    }

    /** The ProcessedLength cell (ULONG64). */
    public MemorySegment processedLengthCell() {
        return processedLength;
    }

    private long rangeOffset(final int index) {
        if (index < 0 || index >= capacity) {
            throw new IndexOutOfBoundsException("range " + index + " of " + capacity);
        }
        return index * VirtDiskLayouts.QUERY_CHANGES_VIRTUAL_DISK_RANGE.byteSize();
    }
}
