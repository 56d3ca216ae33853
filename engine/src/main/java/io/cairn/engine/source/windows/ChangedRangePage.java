package io.cairn.engine.source.windows;

/**
 * One page of QueryChangesVirtualDisk results, allocated once per source and refilled for every page: the ranges
 * ({@code byteOffset, byteLength}) and the processed length, as reported, before any validation.
 *
 * <p>Threads: the thread that walks the extents.
 */
public final class ChangedRangePage {
    private final long[] offsets;
    private final long[] lengths;
    private int count;
    private long processedLength;

    /** Room for {@code capacity} ranges per call. */
    public ChangedRangePage(final int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("page capacity must be positive: " + capacity);
        }
        this.offsets = new long[capacity];
        this.lengths = new long[capacity];
    }

    /** Ranges a call may return. */
    public int capacity() {
        return offsets.length;
    }

    /** Ranges the last call returned. */
    public int count() {
        return count;
    }

    /** Bytes of the queried span that the last call examined. */
    public long processedLength() {
        return processedLength;
    }

    /** ByteOffset of range {@code index}. */
    public long byteOffset(final int index) {
        return offsets[index];
    }

    /** ByteLength of range {@code index}. */
    public long byteLength(final int index) {
        return lengths[index];
    }

    /** Empties the page before a call. */
    public void clear() {
        count = 0;
        processedLength = 0;
    }

    /** Appends a range as reported; IllegalStateException past the capacity. */
    public void add(final long byteOffset, final long byteLength) {
        if (count == offsets.length) {
            throw new IllegalStateException("QueryChangesVirtualDisk returned more than " + offsets.length + " ranges");
        }
        offsets[count] = byteOffset;
        lengths[count] = byteLength;
        count++;
    }

    /** Sets the processed length as reported. */
    public void processedLength(final long processed) {
        this.processedLength = processed;
    }
}
