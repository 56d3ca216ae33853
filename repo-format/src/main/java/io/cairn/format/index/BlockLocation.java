package io.cairn.format.index;

/**
 * Packs a block's location in a repository into one {@code long}, so that {@link BlockIndex} can keep it in a slot
 * without a heap object.
 *
 * <pre>
 *  63                  40 39                                                   0
 * +----------------------+------------------------------------------------------+
 * | pack ordinal (24 bit)|              record offset (40 bit, bytes)           |
 * +----------------------+------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li><b>pack ordinal</b>: index of the pack in the repository's pack table, {@code 0..MAX_PACK_ORDINAL}.</li>
 *   <li><b>record offset</b>: byte offset of the block record within that pack, {@code 1..MAX_OFFSET} (1 TiB).</li>
 * </ul>
 *
 * <p>Offset 0 of every pack is the pack header, so no record starts there and no valid location has a zero offset.
 * In particular {@code 0L} is never a valid location: {@link #EMPTY} uses it to mean "no location". A location with
 * the maximum ordinal is negative as a signed {@code long}; that is expected, decode it with the accessors.
 *
 * <p>All methods are static, allocation-free and safe on any thread.
 */
public final class BlockLocation {
    /** No location: an empty {@link BlockIndex} slot, or a miss from {@link BlockIndex#get(long, long)}. */
    public static final long EMPTY = 0L;
    /** Largest pack ordinal that fits in the 24 ordinal bits. */
    public static final int MAX_PACK_ORDINAL = (1 << 24) - 1;
    /** Largest record offset that fits in the 40 offset bits (1 TiB - 1). */
    public static final long MAX_OFFSET = (1L << 40) - 1;

    static final int OFFSET_BITS = 40;

    private BlockLocation() {
    }

    /**
     * Packs a location.
     *
     * @param packOrdinal  index of the pack in the repository's pack table, {@code 0..MAX_PACK_ORDINAL}.
     * @param recordOffset byte offset of the block record within the pack, {@code 1..MAX_OFFSET}.
     * @return the packed location, never {@link #EMPTY}.
     * @throws IllegalArgumentException when either value is out of range, or the offset is 0 (the pack header).
     */
    public static long pack(final int packOrdinal, final long recordOffset) {
        if (packOrdinal < 0 || packOrdinal > MAX_PACK_ORDINAL) {
            throw new IllegalArgumentException(
                    "pack ordinal out of range: actual=" + packOrdinal + " expected=0.." + MAX_PACK_ORDINAL);
        }
        if (recordOffset <= 0 || recordOffset > MAX_OFFSET) {
            throw new IllegalArgumentException("record offset out of range: actual=" + recordOffset
                    + " expected=1.." + MAX_OFFSET + " (offset 0 is the pack header)");
        }
        return ((long) packOrdinal << OFFSET_BITS) | recordOffset;
    }

    /**
     * Returns the pack ordinal of a location made by {@link #pack(int, long)}.
     *
     * @param location a packed location.
     * @return the index of the pack in the repository's pack table.
     */
    public static int packOrdinal(final long location) {
        return (int) (location >>> OFFSET_BITS);
    }

    /**
     * Returns the record offset of a location made by {@link #pack(int, long)}.
     *
     * @param location a packed location.
     * @return the byte offset of the block record within its pack.
     */
    public static long recordOffset(final long location) {
        return location & MAX_OFFSET;
    }

    /**
     * Describes a location for messages and dumps, e.g. {@code pack#3@0x1000}; {@code empty} for {@link #EMPTY}.
     * Allocates; not for hot paths.
     *
     * @param location a packed location or {@link #EMPTY}.
     * @return a human-readable description.
     */
    public static String toString(final long location) {
        if (location == EMPTY) {
            return "empty";
        }
        return "pack#" + packOrdinal(location) + "@0x" + Long.toHexString(recordOffset(location));
    }
}
