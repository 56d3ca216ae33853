package io.cairn.engine.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Tells whether a block is all zeros, by a vectorised mismatch against a zero segment (the JDK's
 * {@code MemorySegment.mismatch} intrinsic); no allocation per call.
 */
public final class ZeroDetector {
    private final MemorySegment zeros;

    /** @param maxLength longest block to test; its zero segment comes from arena */
    public ZeroDetector(final Arena arena, final long maxLength) {
        this.zeros = arena.allocate(maxLength, 4096);
    }

    public boolean isZero(final MemorySegment segment, final long length) {
        return MemorySegment.mismatch(segment, 0, length, zeros, 0, length) == -1;
    }

    /** The shared zero segment (read-only by convention), handy for writing zero blocks. */
    public MemorySegment zeros() {
        return zeros;
    }
}
