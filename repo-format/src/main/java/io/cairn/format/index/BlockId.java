package io.cairn.format.index;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * A block id is the 128-bit digest of a block's content. Its canonical form is 16 bytes; in memory Cairn carries it as
 * two {@code long}s, {@code idHi} and {@code idLo}: the canonical bytes 0-7 and 8-15, each read big-endian. So the hex
 * form of an id is {@code toHexDigits(idHi) + toHexDigits(idLo)}, the same as the hex of the canonical bytes, and
 * sorting by ({@code idHi}, {@code idLo}) unsigned sorts by the canonical bytes.
 *
 * <p>The all-zero id is reserved: in block maps it marks a block of zeros, which is never stored.
 *
 * <p>{@link #hi}, {@link #lo}, {@link #write} and {@link #isZero} are allocation-free; the hex methods allocate and
 * are meant for file names, messages and tools. All methods are safe on any thread.
 */
public final class BlockId {
    /** Length of the canonical form, in bytes. */
    public static final int LENGTH_BYTES = 16;
    /** Length of the hex form, in characters. */
    public static final int HEX_LENGTH = 2 * LENGTH_BYTES;

    private static final ValueLayout.OfLong U64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final HexFormat HEX = HexFormat.of();
    private static final long LO_OFFSET = 8;

    private BlockId() {
    }

    /**
     * Reads the high half of an id: canonical bytes 0-7, big-endian.
     *
     * @param segment memory holding the canonical 16 bytes.
     * @param offset  offset of the first id byte in {@code segment}; no alignment needed.
     * @return {@code idHi}.
     */
    public static long hi(final MemorySegment segment, final long offset) {
        return segment.get(U64_BE, offset);
    }

    /**
     * Reads the low half of an id: canonical bytes 8-15, big-endian.
     *
     * @param segment memory holding the canonical 16 bytes.
     * @param offset  offset of the first id byte in {@code segment} (not of byte 8); no alignment needed.
     * @return {@code idLo}.
     */
    public static long lo(final MemorySegment segment, final long offset) {
        return segment.get(U64_BE, offset + LO_OFFSET);
    }

    /**
     * Writes an id in its canonical 16-byte form.
     *
     * @param segment destination.
     * @param offset  offset of the first id byte in {@code segment}; no alignment needed.
     * @param idHi    high half.
     * @param idLo    low half.
     */
    public static void write(final MemorySegment segment, final long offset, final long idHi, final long idLo) {
        segment.set(U64_BE, offset, idHi);
        segment.set(U64_BE, offset + LO_OFFSET, idLo);
    }

    /**
     * Tells whether this is the reserved all-zero id (a zero block in block maps).
     *
     * @param idHi high half.
     * @param idLo low half.
     * @return true when both halves are zero.
     */
    public static boolean isZero(final long idHi, final long idLo) {
        return (idHi | idLo) == 0;
    }

    /**
     * Formats an id as 32 lower-case hex characters, the hex of its canonical bytes.
     *
     * @param idHi high half.
     * @param idLo low half.
     * @return the hex form.
     */
    public static String toHex(final long idHi, final long idLo) {
        return HEX.toHexDigits(idHi) + HEX.toHexDigits(idLo);
    }

    /**
     * Parses the hex form of an id: exactly 32 hex digits, either case, no sign or prefix.
     *
     * @param hex the hex form.
     * @return a new array {@code {idHi, idLo}}.
     * @throws IllegalArgumentException when {@code hex} is not exactly 32 hex digits.
     */
    public static long[] parseHex(final CharSequence hex) {
        if (hex.length() != HEX_LENGTH) {
            throw new IllegalArgumentException(
                    "block id must be " + HEX_LENGTH + " hex digits: length=" + hex.length() + " value=" + hex);
        }
        return new long[] {parseHalf(hex, 0), parseHalf(hex, HEX_LENGTH / 2)};
    }

    private static long parseHalf(final CharSequence hex, final int from) {
        long value = 0;
        for (int i = from, end = from + HEX_LENGTH / 2; i < end; i++) {
            value = (value << 4) | digit(hex, i);
        }
        return value;
    }

    private static int digit(final CharSequence hex, final int index) {
        final char c = hex.charAt(index);
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw new IllegalArgumentException("block id has a non-hex character at " + index + ": " + hex);
    }
}
