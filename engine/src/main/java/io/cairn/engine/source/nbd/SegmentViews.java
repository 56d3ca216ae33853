package io.cairn.engine.source.nbd;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A small cache of {@code ByteBuffer} views of native segments, so that reading a socket into a pipeline slot
 * makes its view once and then never allocates. Keyed by address, size and scope (a segment of a closed arena
 * never matches a new one at the same address). Direct-mapped: a collision just makes a new view.
 * <p>
 * Threads: confined to the thread that calls {@link #view}.
 */
final class SegmentViews {
    private static final int SLOTS = 256;
    private final long[] addresses = new long[SLOTS];
    private final long[] sizes = new long[SLOTS];
    private final MemorySegment.Scope[] scopes = new MemorySegment.Scope[SLOTS];
    private final ByteBuffer[] views = new ByteBuffer[SLOTS];

    /** A view of the whole segment; its position and limit are the caller's to set. */
    ByteBuffer view(final MemorySegment segment) {
        if (!segment.isNative()) {
            return segment.asByteBuffer(); // heap segments: tests and cold paths only
        }
        final long address = segment.address();
        final long size = segment.byteSize();
        final MemorySegment.Scope scope = segment.scope();
        final int slot = (int) ((address >>> 12) ^ (address >>> 22) ^ (address >>> 32)) & (SLOTS - 1);
        if (addresses[slot] == address && sizes[slot] == size && scopes[slot] == scope) {
            return views[slot];
        }
        final ByteBuffer v = segment.asByteBuffer();
        addresses[slot] = address;
        sizes[slot] = size;
        scopes[slot] = scope;
        views[slot] = v;
        return v;
    }
}
