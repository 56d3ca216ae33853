package io.cairn.engine.backup;

import io.cairn.engine.codec.BlockCompressor;
import io.cairn.engine.codec.DirectBuffers;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The backup pipeline's pool of block slots, allocated once, off-heap (direct buffers: see DirectBuffers): per slot a 4096-aligned input buffer
 * (the block as read) and an output buffer (its zstd frame), with ByteBuffer views made once, plus the
 * per-slot results each stage fills in.
 * <p>
 * Threads: a slot belongs to one stage at a time; ownership passes through the rings (release on offer,
 * acquire on poll), which is what makes the plain array writes below visible to the next stage.
 */
final class BlockSlots {
    static final int KIND_ZERO = 0;
    static final int KIND_KNOWN = 1;
    static final int KIND_NEW = 2;

    final int count;
    final MemorySegment[] in;
    final ByteBuffer[] inBuffer;
    final ByteBuffer[] outBuffer;

    // written by the reader
    final long[] blockNo;
    final int[] rawLength;
    // written by a hash/compress worker
    final int[] kind;
    final long[] idHi;
    final long[] idLo;
    final int[] codec;
    final int[] storedLength;
    final int[] dataCrc;
    final boolean[] changed;

    BlockSlots(final int count, final int blockSize) {
        this.count = count;
        in = new MemorySegment[count];
        inBuffer = new ByteBuffer[count];
        outBuffer = new ByteBuffer[count];
        final int outCapacity = BlockCompressor.bound(blockSize);
        for (int i = 0; i < count; i++) {
            inBuffer[i] = DirectBuffers.aligned(blockSize);
            in[i] = MemorySegment.ofBuffer(inBuffer[i]);
            outBuffer[i] = DirectBuffers.aligned(outCapacity);
        }
        blockNo = new long[count];
        rawLength = new int[count];
        kind = new int[count];
        idHi = new long[count];
        idLo = new long[count];
        codec = new int[count];
        storedLength = new int[count];
        dataCrc = new int[count];
        changed = new boolean[count];
    }
}
