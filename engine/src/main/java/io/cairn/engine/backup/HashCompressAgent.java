package io.cairn.engine.backup;

import io.cairn.engine.codec.BlockCompressor;
import io.cairn.engine.codec.BlockHasher;
import io.cairn.engine.codec.ZeroDetector;
import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.point.PointReader;
import org.agrona.concurrent.IdleStrategy;

import java.nio.ByteBuffer;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Worker stage: zero detection, XXH3-128, comparison with the parent's block map, dedup lookup in the frozen
 * base index, and, for new blocks only, zstd compression and the CRC32C of the stored bytes. Messages pass
 * through in the order they came, so the writer can restore block order round-robin.
 * <p>
 * Threads: runs on its own platform thread; consumer of its input ring, producer of its output ring. The
 * base index and parent map are read-only for the whole run. Nothing here allocates per block.
 */
final class HashCompressAgent implements Runnable {
    private final OneToOneBlockRing in;
    private final OneToOneBlockRing out;
    private final BlockSlots slots;
    private final PipelineState state;
    private final IdleStrategy idle;
    private final BlockIndex baseIndex;
    private final PointReader parent;
    private final long parentBlocks;
    /** Makes this worker's compressor at its first new block (null: compression off). */
    private final Supplier<BlockCompressor> compressorFactory;
    private BlockCompressor compressor;
    private final ZeroDetector zeros;
    private final BlockHasher hasher = new BlockHasher();
    private final CRC32C crc = new CRC32C();
    private long busyNs;

    HashCompressAgent(final OneToOneBlockRing in, final OneToOneBlockRing out, final BlockSlots slots,
                      final PipelineState state, final IdleStrategy idle, final BlockIndex baseIndex,
                      final PointReader parent, final Supplier<BlockCompressor> compressorFactory,
                      final ZeroDetector zeros) {
        this.in = in;
        this.out = out;
        this.slots = slots;
        this.state = state;
        this.idle = idle;
        this.baseIndex = baseIndex;
        this.parent = parent;
        this.parentBlocks = parent == null ? 0 : parent.blockCount();
        this.compressorFactory = compressorFactory;
        this.zeros = zeros;
    }

    @Override
    public void run() {
        try {
            while (!state.failed()) {
                if (!in.poll()) {
                    idle.idle();
                    continue;
                }
                idle.reset();
                final int type = in.lastType();
                final int slot = in.lastSlot();
                final long blockNo = in.lastBlockNo();
                final long count = in.lastCount();
                if (type == OneToOneBlockRing.BLOCK) {
                    final long t0 = System.nanoTime();
                    process(slot);
                    busyNs += System.nanoTime() - t0;
                }
                while (!out.offer(type, slot, blockNo, count)) {
                    if (state.failed()) {
                        return;
                    }
                    idle.idle();
                }
                if (type == OneToOneBlockRing.END) {
                    return;
                }
            }
        } catch (Throwable t) {
            state.fail(t);
        }
    }

    private void process(final int slot) {
        final BlockSlots s = slots;
        final int length = s.rawLength[slot];
        final long blockNo = s.blockNo[slot];
        if (zeros.isZero(s.in[slot], length)) {
            s.kind[slot] = BlockSlots.KIND_ZERO;
            s.changed[slot] = blockNo < parentBlocks && (parent.idHi(blockNo) != 0 || parent.idLo(blockNo) != 0);
            return;
        }
        hasher.hash(s.in[slot], length);
        final long hi = hasher.hi();
        final long lo = hasher.lo();
        s.idHi[slot] = hi;
        s.idLo[slot] = lo;
        s.changed[slot] = blockNo >= parentBlocks || parent.idHi(blockNo) != hi || parent.idLo(blockNo) != lo;
        if (baseIndex.get(hi, lo) != BlockLocation.EMPTY) {
            s.kind[slot] = BlockSlots.KIND_KNOWN;
            return;
        }
        s.kind[slot] = BlockSlots.KIND_NEW;
        final ByteBuffer raw = s.inBuffer[slot];
        int stored = -1;
        if (compressorFactory != null) {
            if (compressor == null) {
                compressor = compressorFactory.get();
            }
            stored = compressor.compress(raw, length, s.outBuffer[slot]);
        }
        final ByteBuffer data;
        if (stored > 0) {
            s.codec[slot] = BlockRecordLayout.CODEC_ZSTD;
            data = s.outBuffer[slot];
        } else {
            s.codec[slot] = BlockRecordLayout.CODEC_RAW;
            stored = length;
            data = raw;
        }
        s.storedLength[slot] = stored;
        data.clear().limit(stored);
        crc.reset();
        crc.update(data); // the writer resets position and limit before it appends these bytes
        s.dataCrc[slot] = (int) crc.getValue();
    }

    /** Frees the compressor, if one was made; call after the thread ended. */
    void closeCompressor() {
        if (compressor != null) {
            compressor.close();
            compressor = null;
        }
    }

    long busyNs() {
        return busyNs;
    }
}
