package io.cairn.engine.restore;

import io.cairn.engine.codec.DirectBuffers;
import io.cairn.format.pack.BlockRecordLayout;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The restore pipeline's pool of block slots, allocated once: per slot a 4096-aligned input buffer (the record
 * as read from its pack, with O_DIRECT alignment slack before it) and an output region (the block's raw bytes).
 * <p>
 * Design note: the output regions of all slots are consecutive parts of one buffer, slot i at
 * {@code i * blockSize}. Slots circulate in FIFO order (the writer frees them in block order and the reader takes
 * them in that order), so consecutive data blocks usually sit in consecutive slots, and the writer can hand a
 * run of them to one multi-MiB pwrite straight from this buffer, without a copy. {@link #outTail} holds, per
 * slot, a view from that slot to the end of the buffer, made once, so such a write allocates nothing.
 * <p>
 * Threads: a slot belongs to one stage at a time; ownership passes through the rings (release on offer,
 * acquire on poll), which is what makes the plain array writes below visible to the next stage.
 */
final class RestoreSlots {
    final int count;
    final int blockSize;
    final ByteBuffer[] inBuffer;
    final MemorySegment[] in;
    /** Output region of each slot, {@code blockSize} bytes. */
    final ByteBuffer[] outBuffer;
    final MemorySegment[] out;
    /** From each slot's output region to the end of the shared output buffer. */
    final MemorySegment[] outTail;

    // written by the reader
    final long[] blockNo;
    final int[] rawLength;
    final long[] idHi;
    final long[] idLo;
    final int[] packOrdinal;
    final long[] recordOffset;
    /** Stored length from the pack's footer: what the reader read after the record header. */
    final int[] storedLength;
    /** Where in the input buffer the record header starts (O_DIRECT reads start at a 4096 boundary). */
    final int[] recordAt;

    RestoreSlots(final int count, final int blockSize) {
        this.count = count;
        this.blockSize = blockSize;
        inBuffer = new ByteBuffer[count];
        in = new MemorySegment[count];
        outBuffer = new ByteBuffer[count];
        out = new MemorySegment[count];
        outTail = new MemorySegment[count];
        final int inCapacity = inputCapacity(blockSize);
        final ByteBuffer all = DirectBuffers.aligned(Math.multiplyExact(count, blockSize));
        final MemorySegment allSegment = MemorySegment.ofBuffer(all);
        for (int i = 0; i < count; i++) {
            inBuffer[i] = DirectBuffers.aligned(inCapacity);
            in[i] = MemorySegment.ofBuffer(inBuffer[i]);
            outBuffer[i] = all.slice(i * blockSize, blockSize);
            out[i] = allSegment.asSlice((long) i * blockSize, blockSize);
            outTail[i] = allSegment.asSlice((long) i * blockSize);
        }
        blockNo = new long[count];
        rawLength = new int[count];
        idHi = new long[count];
        idLo = new long[count];
        packOrdinal = new int[count];
        recordOffset = new long[count];
        storedLength = new int[count];
        recordAt = new int[count];
    }

    /** A record of at most blockSize stored bytes, plus its header, plus 4096 of alignment on each side. */
    static int inputCapacity(final int blockSize) {
        return blockSize + BlockRecordLayout.HEADER_LENGTH + 2 * DirectBuffers.ALIGNMENT;
    }
}
