package io.cairn.engine.backup;

import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.engine.source.BlockSource;
import org.agrona.concurrent.IdleStrategy;

/**
 * Reader stage: walks the disk in block order, skips holes unread (sending runs of zero blocks instead), reads
 * data blocks into free slots and deals the messages round-robin to the workers, so that the writer, taking
 * them back round-robin, sees block order without a reorder buffer.
 * <p>
 * Threads: runs on its own platform thread; producer of every worker's input ring, consumer of the free ring.
 */
final class SourceReaderAgent implements Runnable {
    private final BlockSource source;
    private final BlockSlots slots;
    private final OneToOneBlockRing[] toWorkers;
    private final OneToOneBlockRing freeSlots;
    private final PipelineState state;
    private final IdleStrategy idle;
    private final int blockSize;
    private final long blockCount;
    private long sequence;
    private long bytesRead;
    private long busyNs;

    SourceReaderAgent(final BlockSource source, final BlockSlots slots, final OneToOneBlockRing[] toWorkers,
                      final OneToOneBlockRing freeSlots, final PipelineState state, final IdleStrategy idle,
                      final int blockSize, final long blockCount) {
        this.source = source;
        this.slots = slots;
        this.toWorkers = toWorkers;
        this.freeSlots = freeSlots;
        this.state = state;
        this.idle = idle;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
    }

    @Override
    public void run() {
        try {
            readAll();
        } catch (Throwable t) {
            state.fail(t);
        }
    }

    private void readAll() throws Exception {
        final long size = source.size();
        long dataFrom = -1;
        long dataTo = 0;
        long zeroStart = 0;
        long zeroCount = 0;
        for (long b = 0; b < blockCount; b++) {
            if (state.failed()) {
                return;
            }
            final long start = b * blockSize;
            final long end = Math.min(start + blockSize, size);
            if (start >= dataTo) {
                dataFrom = source.nextData(start);
                if (dataFrom < 0) {
                    dataFrom = size;
                    dataTo = Long.MAX_VALUE;
                } else {
                    dataTo = Math.max(source.nextHole(dataFrom), dataFrom + 1);
                }
            }
            if (dataFrom >= end) {
                if (zeroCount == 0) {
                    zeroStart = b;
                }
                zeroCount++;
                continue;
            }
            if (zeroCount > 0) {
                send(OneToOneBlockRing.ZERO_RUN, -1, zeroStart, zeroCount);
                zeroCount = 0;
            }
            final int slot = takeFreeSlot();
            if (slot < 0) {
                return;
            }
            final int length = (int) (end - start);
            slots.blockNo[slot] = b;
            slots.rawLength[slot] = length;
            final long t0 = System.nanoTime();
            source.read(slots.in[slot], start, length);
            busyNs += System.nanoTime() - t0;
            bytesRead += length;
            send(OneToOneBlockRing.BLOCK, slot, b, 1);
        }
        if (zeroCount > 0) {
            send(OneToOneBlockRing.ZERO_RUN, -1, zeroStart, zeroCount);
        }
        for (int i = 0; i < toWorkers.length; i++) {
            send(OneToOneBlockRing.END, -1, blockCount, 0);
        }
    }

    private int takeFreeSlot() {
        idle.reset();
        while (!freeSlots.poll()) {
            if (state.failed()) {
                return -1;
            }
            idle.idle();
        }
        return freeSlots.lastSlot();
    }

    private void send(final int type, final int slot, final long blockNo, final long count) {
        final OneToOneBlockRing ring = toWorkers[(int) (sequence % toWorkers.length)];
        idle.reset();
        while (!ring.offer(type, slot, blockNo, count)) {
            if (state.failed()) {
                return;
            }
            idle.idle();
        }
        sequence++;
    }

    long bytesRead() {
        return bytesRead;
    }

    long busyNs() {
        return busyNs;
    }
}
