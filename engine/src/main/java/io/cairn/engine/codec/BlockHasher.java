package io.cairn.engine.codec;

import net.openhft.hashing.LongTupleHashFunction;

import java.lang.foreign.MemorySegment;

/**
 * XXH3-128 block ids (FORMAT.md section 1) without allocation: the result lands in {@link #hi()}/{@link #lo()},
 * the canonical id's two big-endian halves.
 * <p>
 * Threads: one instance per thread.
 */
public final class BlockHasher {
    private static final LongTupleHashFunction XXH3_128 = LongTupleHashFunction.xx128();
    private final long[] result = XXH3_128.newResultArray();

    /** Hashes length bytes of a native segment from its start. */
    public void hash(final MemorySegment segment, final long length) {
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
