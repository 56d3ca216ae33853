package io.cairn.engine.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Page-aligned direct ByteBuffers, for buffers that go to both FFM (as segments) and FileChannel/zstd-jni (as
 * buffers).
 * <p>
 * Design note: a ByteBuffer view of an {@code Arena} segment makes every FileChannel read/write allocate two
 * small objects to keep the arena alive during the I/O (measured ~70 B per call, see HotPathAllocationTest);
 * a plain direct buffer does not. So the pipeline's long-lived I/O buffers are direct buffers, and their segment
 * views ({@link MemorySegment#ofBuffer}) are made once.
 */
public final class DirectBuffers {
    public static final int ALIGNMENT = 4096;

    private DirectBuffers() {
    }

    /** A direct buffer of exactly {@code capacity} bytes whose address is 4096-aligned. */
    public static ByteBuffer aligned(final int capacity) {
        // alignedSlice also rounds the end down to a multiple of the alignment: ask for a rounded-up size
        final int rounded = (capacity + ALIGNMENT - 1) & -ALIGNMENT;
        final ByteBuffer b = ByteBuffer.allocateDirect(rounded + ALIGNMENT).alignedSlice(ALIGNMENT);
        return b.limit(capacity).slice();
    }
}
