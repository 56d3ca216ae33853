package io.cairn.engine.restore;

import io.cairn.engine.Progress;
import io.cairn.engine.ring.OneToOneBlockRing;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Writer stage of a restore: takes the decoded blocks back from the workers round-robin (so in block order) and
 * writes them with few, large writes: a run of blocks that are consecutive on the disk and sit in consecutive
 * slots (so consecutive in the slots' shared output buffer, see {@link RestoreSlots}) goes out as one pwrite of
 * up to {@code maxRunBlocks} blocks. Zero blocks are skipped (the output file is sparse), except on a target
 * that must be written in full (a block device), where they are written from one zeroed buffer.
 * <p>
 * Slots go back to the free ring after their run is written, in block order, which keeps the slots cycling in
 * FIFO order.
 * <p>
 * Busy time ({@link #busyNs}): time in writes; waiting for the workers is idle time.
 * <p>
 * Threads: the restore's calling thread; consumer of every worker's output ring, producer of the free ring.
 */
final class RestoreWriterStage {
    private static final long PROGRESS_INTERVAL_NS = 250_000_000L;

    private final RestoreSlots slots;
    private final OneToOneBlockRing[] fromWorkers;
    private final OneToOneBlockRing freeSlots;
    private final RestoreState state;
    private final IdleStrategy idle;
    private final RestoreTarget target;
    private final MemorySegment zeros;
    private final int maxRunBlocks;
    private final long size;
    private final Progress progress;

    private int runSlot = -1;
    private long runBlock;
    private int runCount;
    private long nextProgressNs;

    long blocksData;
    long blocksZero;
    long bytesWritten;
    long writes;
    long busyNs;

    RestoreWriterStage(final RestoreSlots slots, final OneToOneBlockRing[] fromWorkers,
                       final OneToOneBlockRing freeSlots, final RestoreState state, final IdleStrategy idle,
                       final RestoreTarget target, final MemorySegment zeros, final int maxRunBlocks,
                       final long size, final Progress progress) {
        this.slots = slots;
        this.fromWorkers = fromWorkers;
        this.freeSlots = freeSlots;
        this.state = state;
        this.idle = idle;
        this.target = target;
        this.zeros = zeros;
        this.maxRunBlocks = maxRunBlocks;
        this.size = size;
        this.progress = progress;
    }

    void run() throws IOException {
        final OneToOneBlockRing[] rings = fromWorkers;
        final int workers = rings.length;
        final boolean writeZeros = target.mustWriteZeros();
        int ends = 0;
        long sequence = 0;
        while (ends < workers) {
            if (state.failed()) {
                return;
            }
            final OneToOneBlockRing ring = rings[(int) (sequence % workers)];
            if (!ring.poll()) {
                idle.idle();
                continue;
            }
            idle.reset();
            sequence++;
            final int type = ring.lastType();
            if (type == OneToOneBlockRing.BLOCK) {
                add(ring.lastSlot(), ring.lastBlockNo());
            } else if (type == OneToOneBlockRing.ZERO_RUN) {
                flush();
                blocksZero += ring.lastCount();
                if (writeZeros) {
                    writeZeros(ring.lastBlockNo(), ring.lastCount());
                }
            } else if (type == OneToOneBlockRing.END) {
                ends++;
            }
        }
        flush();
        progress.update(size, size);
    }

    /** Adds a decoded block to the pending run, writing the run first when the block cannot extend it. */
    private void add(final int slot, final long blockNo) throws IOException {
        if (runCount > 0 && (blockNo != runBlock + runCount || slot != runSlot + runCount
                || runCount == maxRunBlocks)) {
            flush();
        }
        if (runCount == 0) {
            runSlot = slot;
            runBlock = blockNo;
        }
        runCount++;
        blocksData++;
        if (runCount == maxRunBlocks) {
            flush();
        }
    }

    /** Writes the pending run in one write and frees its slots. */
    private void flush() throws IOException {
        if (runCount == 0) {
            return;
        }
        final int blockSize = slots.blockSize;
        final long offset = runBlock * blockSize;
        final long length = Math.min((long) runCount * blockSize, size - offset);
        final long t0 = System.nanoTime();
        target.write(slots.outTail[runSlot], length, offset);
        final long t1 = System.nanoTime();
        busyNs += t1 - t0;
        bytesWritten += length;
        writes++;
        for (int i = 0; i < runCount; i++) {
            while (!freeSlots.offer(OneToOneBlockRing.BLOCK, runSlot + i, -1, 0)) {
                if (state.failed()) {
                    return;
                }
                idle.idle(); // cannot stay full: it holds every slot at most
            }
        }
        runCount = 0;
        if (t1 >= nextProgressNs) {
            nextProgressNs = t1 + PROGRESS_INTERVAL_NS;
            progress.update(offset + length, size);
        }
    }

    /** Writes count zero blocks from firstBlock, in writes of at most the zero buffer's size. */
    private void writeZeros(final long firstBlock, final long count) throws IOException {
        final long from = firstBlock * slots.blockSize;
        final long to = Math.min(size, (firstBlock + count) * slots.blockSize);
        final long t0 = System.nanoTime();
        for (long at = from; at < to; ) {
            final long n = Math.min(zeros.byteSize(), to - at);
            target.write(zeros, n, at);
            at += n;
            writes++;
        }
        busyNs += System.nanoTime() - t0;
        bytesWritten += to - from;
    }
}
