package io.cairn.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Aligned off-heap buffers for O_DIRECT: the buffer address, the length and the file offset of an O_DIRECT call
 * must all be multiples of the device's logical block size, which is at most 4096 on the devices Cairn supports.
 *
 * <p>Allocate once and reuse: on the build VM, first-touch page faults make fresh memory ~20x slower than reused
 * memory (platform-facts.md).
 */
public final class AlignedBuffers {
    /** The alignment of every buffer, length and offset used with O_DIRECT. */
    public static final long ALIGNMENT = 4096;

    private AlignedBuffers() {
    }

    /**
     * A zeroed segment of exactly {@code size} bytes whose address is a multiple of {@link #ALIGNMENT}, owned by
     * {@code arena}. Pass a multiple of {@code ALIGNMENT} (see {@link #alignUp}) for O_DIRECT transfers.
     */
    public static MemorySegment allocate(final Arena arena, final long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        return arena.allocate(size, ALIGNMENT);
    }

    /** The smallest multiple of {@link #ALIGNMENT} that is {@code >= v}; {@code v} must be non-negative. */
    public static long alignUp(final long v) {
        if (v < 0 || v > Long.MAX_VALUE - (ALIGNMENT - 1)) {
            throw new IllegalArgumentException("cannot align " + v);
        }
        return (v + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** The largest multiple of {@link #ALIGNMENT} that is {@code <= v}; {@code v} must be non-negative. */
    public static long alignDown(final long v) {
        if (v < 0) {
            throw new IllegalArgumentException("cannot align " + v);
        }
        return v & -ALIGNMENT;
    }

    /** True when {@code v} is a multiple of {@link #ALIGNMENT}. */
    public static boolean isAligned(final long v) {
        return (v & (ALIGNMENT - 1)) == 0;
    }

    /** True when the segment's address and size are both multiples of {@link #ALIGNMENT}. */
    public static boolean isAligned(final MemorySegment segment) {
        return segment.isNative() && isAligned(segment.address()) && isAligned(segment.byteSize());
    }
}
