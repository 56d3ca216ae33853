package io.cairn.engine.ring;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Single-producer, single-consumer ring of fixed 24-byte block descriptors between two pipeline stages, over an
 * Agrona {@link OneToOneRingBuffer} in an off-heap segment.
 * <p>
 * Threads: {@link #offer} only on the producer thread; {@link #poll} and the {@code last*} accessors only on the
 * consumer thread. Publication is Agrona's: the producer writes the body, then commit() release-stores the
 * length; the consumer reads the body only after acquiring it. Neither side allocates.
 * <p>
 * Message: type (msgTypeId), slot (int at 0), block number (long at 8), count (long at 16).
 */
public final class OneToOneBlockRing {
    /** A block read into a slot. */
    public static final int BLOCK = 1;
    /** {@code count} zero (hole) blocks starting at block number. */
    public static final int ZERO_RUN = 2;
    /** No more messages. */
    public static final int END = 3;
    /** {@code count} blocks starting at block number that change tracking says are as in the parent point. */
    public static final int UNCHANGED_RUN = 4;

    private static final int LENGTH = 24;
    private final RingBuffer ring;
    private final Handler handler = new Handler();

    /** @param capacityBytes power of two, at least 1024 */
    public OneToOneBlockRing(final Arena arena, final int capacityBytes) {
        final MemorySegment seg = arena.allocate(capacityBytes + RingBufferDescriptor.TRAILER_LENGTH, 64);
        final AtomicBuffer buffer = new UnsafeBuffer(seg.address(), (int) seg.byteSize());
        this.ring = new OneToOneRingBuffer(buffer);
    }

    /** Producer: false when the ring is full (try again after idling). */
    public boolean offer(final int type, final int slot, final long blockNo, final long count) {
        final int index = ring.tryClaim(type, LENGTH);
        if (index <= 0) {
            return false;
        }
        final AtomicBuffer b = ring.buffer();
        b.putInt(index, slot);
        b.putLong(index + 8, blockNo);
        b.putLong(index + 16, count);
        ring.commit(index); // release: publishes the three fields above to the consumer
        return true;
    }

    /** Consumer: takes one message into the last* fields; false when the ring is empty. */
    public boolean poll() {
        return ring.read(handler, 1) == 1;
    }

    public int lastType() {
        return handler.type;
    }

    public int lastSlot() {
        return handler.slot;
    }

    public long lastBlockNo() {
        return handler.blockNo;
    }

    public long lastCount() {
        return handler.count;
    }

    private static final class Handler implements MessageHandler {
        int type;
        int slot;
        long blockNo;
        long count;

        @Override
        public void onMessage(final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index,
                              final int length) {
            type = msgTypeId;
            slot = buffer.getInt(index);
            blockNo = buffer.getLong(index + 8);
            count = buffer.getLong(index + 16);
        }
    }
}
