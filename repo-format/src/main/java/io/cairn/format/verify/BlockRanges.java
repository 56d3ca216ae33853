package io.cairn.format.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Block numbers of one restore point, kept as inclusive ranges ({@code 3, 40-47}) so that a disk with a long run of
 * damaged blocks costs two longs, not one per block. Built in ascending order by verify, read-only afterwards.
 */
public final class BlockRanges {
    /** Printed ranges in human output; JSON lists them all. */
    static final int MAX_PRINTED_RANGES = 20;

    /** [first0, last0, first1, last1, ...]. */
    private long[] bounds = new long[8];
    private int length;
    private long count;

    /** Appends a block number greater than every one added before. */
    public void add(final long block) {
        if (length > 0 && block <= bounds[length - 1]) {
            throw new IllegalArgumentException("block " + block + " not after " + bounds[length - 1]);
        }
        count++;
        if (length > 0 && block == bounds[length - 1] + 1) {
            bounds[length - 1] = block;
            return;
        }
        if (length == bounds.length) {
            bounds = Arrays.copyOf(bounds, length * 2);
        }
        bounds[length++] = block;
        bounds[length++] = block;
    }

    /** {@return how many block numbers were added} */
    public long count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** {@return the number of ranges} */
    public int rangeCount() {
        return length / 2;
    }

    /** First block of range i. */
    public long first(final int range) {
        return bounds[2 * range];
    }

    /** Last block (inclusive) of range i. */
    public long last(final int range) {
        return bounds[2 * range + 1];
    }

    /** The first {@code max} block numbers, in order. */
    public long[] firstBlocks(final int max) {
        final long[] out = new long[(int) Math.min(max, count)];
        int n = 0;
        for (int r = 0; r < rangeCount() && n < out.length; r++) {
            for (long b = first(r); b <= last(r) && n < out.length; b++) {
                out[n++] = b;
            }
        }
        return out;
    }

    /** Every range as text: {@code "3"} or {@code "40-47"}. */
    public List<String> asStrings() {
        final List<String> out = new ArrayList<>(rangeCount());
        for (int r = 0; r < rangeCount(); r++) {
            out.add(text(r));
        }
        return out;
    }

    /** {@code 3, 40-47}, at most {@value #MAX_PRINTED_RANGES} ranges, then how many more. */
    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        final int shown = Math.min(rangeCount(), MAX_PRINTED_RANGES);
        for (int r = 0; r < shown; r++) {
            sb.append(r == 0 ? "" : ", ").append(text(r));
        }
        if (shown < rangeCount()) {
            sb.append(", ... (").append(rangeCount() - shown).append(" more ranges)");
        }
        return sb.toString();
    }

    private String text(final int r) {
        return first(r) == last(r) ? Long.toString(first(r)) : first(r) + "-" + last(r);
    }
}
