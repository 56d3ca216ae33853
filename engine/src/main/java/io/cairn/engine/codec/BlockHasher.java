package io.cairn.engine.codec;

import net.openhft.hashing.LongTupleHashFunction;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * XXH3-128 block ids (FORMAT.md section 1) without allocation: the result lands in {@link #hi()}/{@link #lo()},
 * the canonical id's two big-endian halves.
 * <p>
 * Threads: one instance per thread.
 */
public final class BlockHasher {
    private static final LongTupleHashFunction XXH3_128 = LongTupleHashFunction.xx128();
    private final long[] result = XXH3_128.newResultArray();

    /**
     * Hashes length bytes of a native segment from its start.
     *
     * @throws IllegalArgumentException for a heap segment (it has no native address to hash from)
     * @throws IndexOutOfBoundsException when length is negative or runs past the segment
     */
    public void hash(final MemorySegment segment, final long length) {
        // hashMemory reads raw native memory with no bounds check: check here, or a wrong length or a heap
        // segment (whose address() is an array offset) reads arbitrary memory or crashes the JVM
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment must be native (off-heap), not a heap segment");
        }
        Objects.checkFromIndexSize(0, length, segment.byteSize());
        XXH3_128.hashMemory(segment.address(), length, result);
    }

    /** High 64 bits (first 8 canonical bytes). */
    public long hi() {
        return result[1];
    }

    /** Low 64 bits (last 8 canonical bytes). */
    public long lo() {
        return result[0];
    }
}
