package io.cairn.engine.backup;

import io.cairn.engine.PhaseClock;
import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.ChangeTracking;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * Reader stage: walks the disk in block order, or in a few stripes that take turns ({@link #readStripes}), skips
 * holes unread (sending runs of zero blocks instead), reads data blocks into free slots and deals the messages
 * round-robin to the workers, so that the writer, taking them back round-robin, sees them in the order they were
 * made without a reorder buffer.
 * <p>
 * Reads: up to {@link #QUEUE_DEPTH} in flight through the source's {@link BlockSource.AsyncReader} (io_uring for
 * files and block devices), else one at a time with {@link BlockSource#read}. Reads complete in any order, but
 * messages leave in the order they were made: every message (block or run) first enters a small in-order queue, and
 * leaves it only when it is at the head and, for a block, its read has completed. A completion out of order
 * waits there for its predecessors.
 * <p>
 * Busy time ({@link #busyNs()}): time spent submitting reads and waiting for a read this stage needs (a free
 * queue place, the next block in order); time waiting for a free slot or a worker is idle time.
 * <p>
 * Threads: runs on its own platform thread; producer of every worker's input ring, consumer of the free ring;
 * the async reader and the in-order queue are confined to it.
 */
final class SourceReaderAgent implements Runnable {
    /** Reads in flight when the source can overlap them: enough for NVMe/virtio to reach its bandwidth. */
    static final int QUEUE_DEPTH = 8;
    /** In-order queue: at most QUEUE_DEPTH blocks and one zero run before each and after the last. */
    private static final int ORDER_CAPACITY = 32;
    private static final int ORDER_MASK = ORDER_CAPACITY - 1;

    private final BlockSource source;
    /** The source's size, fixed when it was opened. */
    private final long sourceSize;
    private final BlockSlots slots;
    private final OneToOneBlockRing[] toWorkers;
    private final OneToOneBlockRing freeSlots;
    private final PipelineState state;
    private final IdleStrategy idle;
    private final int blockSize;
    private final long blockCount;
    private final int queueDepth;

    // in-order queue of messages not yet sent; a BLOCK entry leaves only once readDone[slot]
    private final int[] orderType = new int[ORDER_CAPACITY];
    private final int[] orderSlot = new int[ORDER_CAPACITY];
    private final long[] orderBlockNo = new long[ORDER_CAPACITY];
    private final long[] orderCount = new long[ORDER_CAPACITY];
    private long orderHead;
    private long orderTail;
    /** Indexed by slot: the read into it has completed. */
    private final boolean[] readDone;
    /** Made once: reaping completions allocates nothing. */
    private final IntConsumer markDone;

    /** Stripes of the disk read in turn (1: the disk in block order); see {@link #readStripes}. */
    private int stripes = 1;
    /** Change tracking to honour (null: read everything) and the parent's block count it is relative to. */
    private ChangeTracking changes;
    private long parentBlocks;
    /** Blocks read even when the tracking says untouched, one bit each (null: none); see ParentBlocksToReread. */
    private long[] forcedReads;

    private long sequence;
    private long bytesRead;
    private long busyNs;
    private boolean async;

    SourceReaderAgent(final BlockSource source, final BlockSlots slots, final OneToOneBlockRing[] toWorkers,
                      final OneToOneBlockRing freeSlots, final PipelineState state, final IdleStrategy idle,
                      final int blockSize, final long blockCount) {
        this(source, slots, toWorkers, freeSlots, state, idle, blockSize, blockCount, QUEUE_DEPTH);
    }

    SourceReaderAgent(final BlockSource source, final BlockSlots slots, final OneToOneBlockRing[] toWorkers,
                      final OneToOneBlockRing freeSlots, final PipelineState state, final IdleStrategy idle,
                      final int blockSize, final long blockCount, final int queueDepth) {
        if (queueDepth < 1 || queueDepth > QUEUE_DEPTH) {
            throw new IllegalArgumentException("queue depth " + queueDepth + " outside [1, " + QUEUE_DEPTH + "]");
        }
        this.source = source;
        this.sourceSize = source.size();
        this.slots = slots;
        this.toWorkers = toWorkers;
        this.freeSlots = freeSlots;
        this.state = state;
        this.idle = idle;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.queueDepth = queueDepth;
        this.readDone = new boolean[slots.count];
        this.markDone = slot -> readDone[slot] = true;
    }

    /**
     * Reads the disk as {@code n} equal stripes that take turns, one block read each, instead of front to back.
     * A disk's data and free space lie in large regions (a file system fills from the front): in block order the
     * pipeline is first compression-bound with the disk idle, then read-bound with the cores idle; stripes in
     * turn mix both kinds of block all the way through, so the reads of empty space overlap the compression of
     * data. Each stripe is still read in ascending order, and messages still leave in the order they were made,
     * so the writer takes each block's entry by its block number (PointWriter keeps one lane per stripe). For
     * sources whose extent queries and reads cost the same in any order. Call before the thread starts.
     */
    void readStripes(final int n) {
        if (n < 1) {
            throw new IllegalArgumentException("stripes " + n);
        }
        this.stripes = n;
    }

    /**
     * Blocks below parentBlocks that change tracking reports untouched are sent as UNCHANGED_RUN and not read.
     * Call before the thread starts.
     */
    void useChangeTracking(final ChangeTracking tracking, final long parentBlockCount) {
        this.changes = tracking;
        this.parentBlocks = parentBlockCount;
    }

    /**
     * Blocks whose bit is set (bit b of word b/64) are read even when change tracking reports them untouched: the
     * parent's id for them has no intact record any more. Call before the thread starts.
     */
    void forceReads(final long[] blocks) {
        this.forcedReads = blocks;
    }

    @Override
    public void run() {
        try {
            final Optional<BlockSource.AsyncReader> asyncReader =
                queueDepth > 1 ? source.asyncReader(queueDepth) : Optional.empty();
            async = asyncReader.isPresent();
            try (BlockSource.AsyncReader reader = asyncReader.isPresent()
                ? asyncReader.get() : new SynchronousReader(source)) {
                readAll(reader);
            }
        } catch (Throwable t) {
            state.fail(t);
        }
    }

    private void readAll(final BlockSource.AsyncReader reader) throws IOException {
        final int n = (int) Math.max(1, Math.min(stripes, blockCount));
        final long length = (blockCount + n - 1) / n;
        final Stripe[] walk = new Stripe[n];
        for (int i = 0; i < n; i++) {
            walk[i] = new Stripe(Math.min(blockCount, i * length), Math.min(blockCount, (i + 1) * length));
        }
        int live = n;
        while (live > 0) {
            live = 0;
            for (Stripe s : walk) {
                if (!s.done) {
                    if (state.failed()) {
                        return;
                    }
                    s.step(reader);
                    live += s.done ? 0 : 1;
                }
            }
        }
        while (orderHead != orderTail) {
            if (state.failed()) {
                return;
            }
            awaitRead(reader);
        }
        for (int i = 0; i < toWorkers.length; i++) {
            send(OneToOneBlockRing.END, -1, blockCount, 0);
        }
    }

    /**
     * One stripe of the disk, walked in block order: holes become zero runs, blocks that change tracking calls
     * untouched become unchanged runs, and every other block is read. Its extent and tracking positions are its
     * own, so stripes can take turns.
     */
    private final class Stripe {
        private final long end;
        private long next;
        private long dataFrom = -1;
        private long dataTo;
        private long zeroStart;
        private long zeroCount;
        private long unchangedStart;
        private long unchangedCount;
        private long changedFrom = -1;
        private long changedTo;
        boolean done;

        Stripe(final long first, final long end) {
            this.next = first;
            this.end = end;
            this.dataTo = first * blockSize; // "start >= dataTo": the first block asks the source
            this.changedTo = first * blockSize;
            this.done = first >= end;
        }

        /** Walks on until one block's read is submitted or the stripe ends (then its last run is sent). */
        void step(final BlockSource.AsyncReader reader) throws IOException {
            while (next < end) {
                if (state.failed()) {
                    return;
                }
                final long b = next++;
                final long start = b * blockSize;
                final long blockEnd = Math.min(start + blockSize, sourceSize);
                if (untouched(b, start, blockEnd)) { // untouched since the parent: its ids, no read
                    sendZeros(reader);
                    if (unchangedCount++ == 0) {
                        unchangedStart = b;
                    }
                    continue;
                }
                sendUnchanged(reader);
                if (inHole(start, blockEnd)) {
                    if (zeroCount++ == 0) {
                        zeroStart = b;
                    }
                    continue;
                }
                sendZeros(reader);
                submitRead(reader, b, start, (int) (blockEnd - start));
                return;
            }
            sendZeros(reader);
            sendUnchanged(reader);
            done = true;
        }

        /** Change tracking says block b has not been written since the parent (and its ids are intact). */
        private boolean untouched(final long b, final long start, final long blockEnd) throws IOException {
            if (changes == null || b >= parentBlocks) {
                return false;
            }
            if (start >= changedTo) {
                changedFrom = changes.nextChanged(start);
                if (changedFrom < 0) {
                    changedFrom = Long.MAX_VALUE;
                    changedTo = Long.MAX_VALUE;
                } else {
                    changedTo = Math.max(changes.changedEnd(changedFrom), changedFrom + 1);
                }
            }
            return changedFrom >= blockEnd && !forced(b);
        }

        /** The block [start, blockEnd) lies in a hole of the source. */
        private boolean inHole(final long start, final long blockEnd) throws IOException {
            if (start >= dataTo) {
                dataFrom = source.nextData(start);
                if (dataFrom < 0) {
                    dataFrom = sourceSize;
                    dataTo = Long.MAX_VALUE;
                } else {
                    dataTo = Math.max(source.nextHole(dataFrom), dataFrom + 1);
                }
            }
            return dataFrom >= blockEnd;
        }

        private void sendZeros(final BlockSource.AsyncReader reader) throws IOException {
            if (zeroCount > 0) {
                enqueue(reader, OneToOneBlockRing.ZERO_RUN, -1, zeroStart, zeroCount);
                zeroCount = 0;
            }
        }

        private void sendUnchanged(final BlockSource.AsyncReader reader) throws IOException {
            if (unchangedCount > 0) {
                enqueue(reader, OneToOneBlockRing.UNCHANGED_RUN, -1, unchangedStart, unchangedCount);
                unchangedCount = 0;
            }
        }
    }

    /** Reads block b into a free slot, queued in order behind the messages before it. */
    private void submitRead(final BlockSource.AsyncReader reader, final long b, final long start, final int length)
            throws IOException {
        while (reader.inFlight() >= reader.depth()) {
            awaitRead(reader);
        }
        final int slot = takeFreeSlot(reader);
        if (slot < 0) {
            return;
        }
        slots.blockNo[slot] = b;
        slots.rawLength[slot] = length;
        readDone[slot] = false;
        enqueue(reader, OneToOneBlockRing.BLOCK, slot, b, 1);
        final long t0 = System.nanoTime();
        if (!reader.submit(slots.in[slot], start, length, slot)) {
            throw new IllegalStateException("async reader refused a read with " + reader.inFlight()
                + " of " + reader.depth() + " in flight");
        }
        busyNs += System.nanoTime() - t0;
        if (bytesRead == 0) {
            PhaseClock.mark("backup first read submitted");
        }
        bytesRead += length;
        reader.complete(0, markDone);
        deliverInOrder();
    }

    private boolean forced(final long block) {
        final long[] f = forcedReads;
        return f != null && (f[(int) (block >>> 6)] & (1L << block)) != 0;
    }

    /** Appends a message to the in-order queue, making room by completing reads if it is full. */
    private void enqueue(final BlockSource.AsyncReader reader, final int type, final int slot, final long blockNo,
                         final long count) throws IOException {
        while (orderTail - orderHead == ORDER_CAPACITY) {
            awaitRead(reader);
        }
        final int i = (int) (orderTail & ORDER_MASK);
        orderType[i] = type;
        orderSlot[i] = slot;
        orderBlockNo[i] = blockNo;
        orderCount[i] = count;
        orderTail++;
        deliverInOrder();
    }

    /** Waits for at least one read to complete (if any is in flight), then sends what has become sendable. */
    private void awaitRead(final BlockSource.AsyncReader reader) throws IOException {
        final long t0 = System.nanoTime();
        reader.complete(1, markDone);
        busyNs += System.nanoTime() - t0;
        deliverInOrder();
    }

    /** Sends queued messages from the head while they are ready: zero runs always, blocks once read. */
    private void deliverInOrder() {
        while (orderHead != orderTail) {
            final int i = (int) (orderHead & ORDER_MASK);
            final int type = orderType[i];
            final int slot = orderSlot[i];
            if (type == OneToOneBlockRing.BLOCK && !readDone[slot]) {
                return;
            }
            send(type, slot, orderBlockNo[i], orderCount[i]);
            orderHead++;
        }
    }

    /** A free slot; while none is free, completes reads in flight (their delivery frees slots downstream). */
    private int takeFreeSlot(final BlockSource.AsyncReader reader) throws IOException {
        idle.reset();
        while (!freeSlots.poll()) {
            if (state.failed()) {
                return -1;
            }
            if (reader.inFlight() > 0) {
                awaitRead(reader);
            } else {
                idle.idle();
            }
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

    /** True when reads went through the source's async reader (io_uring), false for synchronous reads. */
    boolean async() {
        return async;
    }

    /**
     * The fallback: {@link BlockSource#read} at submit, so one read is "in flight" (already done) at a time; the
     * loop above then behaves exactly as a plain read-then-send loop.
     */
    private static final class SynchronousReader implements BlockSource.AsyncReader {
        private final BlockSource source;
        private int doneTag = -1;

        SynchronousReader(final BlockSource source) {
            this.source = source;
        }

        @Override
        public int depth() {
            return 1;
        }

        @Override
        public int inFlight() {
            return doneTag < 0 ? 0 : 1;
        }

        @Override
        public boolean submit(final MemorySegment dst, final long offset, final int length, final int tag)
            throws IOException {
            if (doneTag >= 0) {
                return false;
            }
            source.read(dst, offset, length);
            doneTag = tag;
            return true;
        }

        @Override
        public int complete(final int min, final IntConsumer done) {
            if (doneTag < 0) {
                return 0;
            }
            final int tag = doneTag;
            doneTag = -1;
            done.accept(tag);
            return 1;
        }

        @Override
        public void close() {
        }
    }
}
