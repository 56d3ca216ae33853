package io.cairn.engine.source.vhdx;

/**
 * The descriptors of a replayed VHDX log, in log order: each either zeroes {@code length} bytes at a file offset or
 * replaces the 4 KiB sector there with a data sector of the log (whose first 8 and last 4 bytes live in the
 * descriptor). Immutable; its size is bounded by the log's length (at most one descriptor per 32 log bytes).
 */
final class LogOverlay {
    static final LogOverlay EMPTY = new LogOverlay(new long[0], new long[0], new long[0], new long[0], new int[0], 0);

    private final long[] fileOffsets;
    private final long[] lengths;
    /** File offset of the data sector in the log, or -1 for a zero descriptor. */
    private final long[] logOffsets;
    private final long[] leading;
    private final int[] trailing;
    private final long lastFileOffset;

    LogOverlay(final long[] fileOffsets, final long[] lengths, final long[] logOffsets, final long[] leading,
               final int[] trailing, final long lastFileOffset) {
        this.fileOffsets = fileOffsets;
        this.lengths = lengths;
        this.logOffsets = logOffsets;
        this.leading = leading;
        this.trailing = trailing;
        this.lastFileOffset = lastFileOffset;
    }

    boolean isEmpty() {
        return fileOffsets.length == 0;
    }

    int count() {
        return fileOffsets.length;
    }

    long fileOffset(final int i) {
        return fileOffsets[i];
    }

    long length(final int i) {
        return lengths[i];
    }

    boolean isZero(final int i) {
        return logOffsets[i] < 0;
    }

    long logOffset(final int i) {
        return logOffsets[i];
    }

    long leading(final int i) {
        return leading[i];
    }

    int trailing(final int i) {
        return trailing[i];
    }

    /** The file size the log's last entry records (the file must be at least this long once replayed). */
    long lastFileOffset() {
        return lastFileOffset;
    }
}
