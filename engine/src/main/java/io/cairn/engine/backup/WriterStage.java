package io.cairn.engine.backup;

import io.cairn.engine.Progress;
import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.format.point.PointReader;
import io.cairn.format.point.PointWriter;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writer stage: takes the workers' results back round-robin (the order the reader made them: block order, or
 * stripes in turn), puts each block's map entry by its block number, hands new blocks to the {@link PackSink}
 * and returns slots to the reader.
 * <p>
 * Threads: runs on the thread that called {@link BackupJob#run}; consumer of every worker's output ring and
 * producer of the free-slot ring.
 */
final class WriterStage {
    private static final long PROGRESS_INTERVAL_NS = 250_000_000L;
    private final BlockSlots slots;
    private final OneToOneBlockRing[] fromWorkers;
    private final OneToOneBlockRing free;
    private final PipelineState state;
    private final IdleStrategy idle;
    private final PackSink sink;
    private final PointWriter point;
    private final PointReader parent;
    private final int blockSize;
    private final long size;
    private final Progress progress;
    long blocksZero;
    long blocksUnchanged;
    long blocksChanged;
    long blocksDedup;
    long busyNs;

    WriterStage(final BlockSlots slots, final OneToOneBlockRing[] fromWorkers, final OneToOneBlockRing free,
                final PipelineState state, final IdleStrategy idle, final PackSink sink, final PointWriter point,
                final PointReader parent, final int blockSize, final long size, final Progress progress) {
        this.slots = slots;
        this.fromWorkers = fromWorkers;
        this.free = free;
        this.state = state;
        this.idle = idle;
        this.sink = sink;
        this.point = point;
        this.parent = parent;
        this.blockSize = blockSize;
        this.size = size;
        this.progress = progress;
    }

    void run() throws IOException {
        long sequence = 0;
        long blocksDone = 0;
        long nextProgress = System.nanoTime() + PROGRESS_INTERVAL_NS;
        final int w = fromWorkers.length;
        while (true) {
            final OneToOneBlockRing ring = fromWorkers[(int) (sequence % w)];
            if (!ring.poll()) {
                if (state.failed()) {
                    return;
                }
                idle.idle();
                continue;
            }
            idle.reset();
            sequence++;
            final int type = ring.lastType();
            if (type == OneToOneBlockRing.END) {
                progress.update(size, size);
                return;
            }
            final long t0 = System.nanoTime();
            if (type == OneToOneBlockRing.ZERO_RUN) {
                final long first = ring.lastBlockNo();
                final long count = ring.lastCount();
                point.putZerosAt(first, count);
                blocksZero += count;
                blocksChanged += parentNonZero(first, count);
                blocksDone += count;
            } else if (type == OneToOneBlockRing.UNCHANGED_RUN) {
                final long first = ring.lastBlockNo();
                final long count = ring.lastCount();
                for (long b = first; b < first + count; b++) {
                    final long hi = parent.idHi(b);
                    final long lo = parent.idLo(b);
                    point.putEntryAt(b, hi, lo);
                    if (hi == 0 && lo == 0) {
                        blocksZero++;
                    }
                }
                blocksUnchanged += count;
                blocksDone += count;
            } else {
                handleBlock(ring.lastSlot());
                blocksDone++;
            }
            final long t1 = System.nanoTime();
            busyNs += t1 - t0;
            if (t1 >= nextProgress) {
                progress.update(Math.min(size, blocksDone * blockSize), size);
                nextProgress = t1 + PROGRESS_INTERVAL_NS;
            }
        }
    }

    private void handleBlock(final int slot) throws IOException {
        final BlockSlots s = slots;
        if (s.changed[slot]) {
            blocksChanged++;
        }
        switch (s.kind[slot]) {
            case BlockSlots.KIND_ZERO -> {
                point.putEntryAt(s.blockNo[slot], 0L, 0L);
                blocksZero++;
            }
            case BlockSlots.KIND_KNOWN -> {
                point.putEntryAt(s.blockNo[slot], s.idHi[slot], s.idLo[slot]);
                blocksDedup++;
            }
            default -> {
                final ByteBuffer data = s.codec[slot] == io.cairn.format.pack.BlockRecordLayout.CODEC_ZSTD
                        ? s.outBuffer[slot] : s.inBuffer[slot];
                data.clear().limit(s.storedLength[slot]);
                sink.store(s.idHi[slot], s.idLo[slot], s.codec[slot], s.rawLength[slot], data, s.dataCrc[slot]);
                point.putEntryAt(s.blockNo[slot], s.idHi[slot], s.idLo[slot]);
            }
        }
        while (!free.offer(OneToOneBlockRing.BLOCK, slot, -1, 0)) {
            idle.idle(); // cannot stay full: the reader drains it whenever it needs a slot
        }
    }

    private long parentNonZero(final long first, final long count) {
        if (parent == null) {
            return 0;
        }
        long n = 0;
        final long end = Math.min(first + count, parent.blockCount());
        for (long b = first; b < end; b++) {
            if (parent.idHi(b) != 0 || parent.idLo(b) != 0) {
                n++;
            }
        }
        return n;
    }
}
