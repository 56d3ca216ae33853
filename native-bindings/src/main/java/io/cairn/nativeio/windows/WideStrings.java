package io.cairn.nativeio.windows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Windows wide strings ({@code PCWSTR}, {@code WCHAR[]}): UTF-16LE code units ending in one NUL code unit.
 */
public final class WideStrings {
    private WideStrings() {
    }

    /** Allocates {@code text} as UTF-16LE followed by a 2-byte NUL. Rejects text that contains NUL itself. */
    public static MemorySegment allocate(final SegmentAllocator allocator, final String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a wide string cannot contain NUL: " + text.replace('\0', '?'));
        }
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_16LE);
        final MemorySegment out = allocator.allocate(bytes.length + 2L, 2);
        MemorySegment.copy(bytes, 0, out, JAVA_BYTE, 0, bytes.length);
        out.set(JAVA_SHORT_UNALIGNED, bytes.length, (short) 0);
        return out;
    }

    /**
     * Reads a NUL-terminated UTF-16LE string that starts at {@code offset} and must end within {@code maxChars}
     * code units and within the segment; a string that does not is rejected with IllegalArgumentException rather
     * than read past its buffer.
     */
    public static String read(final MemorySegment segment, final long offset, final int maxChars) {
        final long limit = Math.min(segment.byteSize(), offset + 2L * maxChars);
        for (long at = offset; at + 2 <= limit; at += 2) {
            if (segment.get(JAVA_SHORT_UNALIGNED, at) == 0) {
                final byte[] bytes = new byte[(int) (at - offset)];
                MemorySegment.copy(segment, JAVA_BYTE, offset, bytes, 0, bytes.length);
                return new String(bytes, StandardCharsets.UTF_16LE);
            }
        }
        throw new IllegalArgumentException("wide string at offset " + offset + " has no NUL within " + maxChars
            + " characters (" + (limit - offset) / 2 + " available)");
    }

    /** As {@link #read(MemorySegment, long, int)} for a native pointer; null for a NULL pointer. */
    @SuppressWarnings("restricted")
    public static String readPointer(final MemorySegment pointer, final int maxChars) {
        if (pointer.equals(MemorySegment.NULL)) {
            return null;
        }
        return read(pointer.reinterpret(2L * maxChars), 0, maxChars);
    }
}
