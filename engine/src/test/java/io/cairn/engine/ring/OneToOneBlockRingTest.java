package io.cairn.engine.ring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OneToOneBlockRingTest {
    /** A 24-byte body plus Agrona's 8-byte record header, already 8-aligned. */
    private static final int RECORD_BYTES = 32;
    /** Agrona's OneToOneRingBuffer keeps one record header's room free, so 1024 bytes hold 31 records, not 32. */
    private static final int FITS_IN_1024 = (1024 - 8) / RECORD_BYTES;
    private static final int MESSAGES = 1_000_000;

    @Test
    void shouldDeliverEveryMessageInOrderWhenProducerAndConsumerRunOnTwoThreads() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            // 64 KiB: room for 2047 messages, so each side works in batches instead of ping-ponging on 2 cores
            final OneToOneBlockRing ring = new OneToOneBlockRing(arena, 64 * 1024);
            final AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            final Thread producer = Thread.ofPlatform().name("ring-producer").start(() -> {
                try {
                    for (int i = 0; i < MESSAGES; i++) {
                        while (!ring.offer(type(i), i % 1000, i, 3L * i + 1)) {
                            Thread.yield(); // give the core to the other side (the build machine has two)
                        }
                    }
                } catch (Throwable t) {
                    producerFailure.set(t);
                }
            });
            long received = 0;
            long misordered = 0;
            String firstProblem = null;
            while (received < MESSAGES) {
                if (!ring.poll()) {
                    if (producerFailure.get() != null) {
                        break;
                    }
                    Thread.yield(); // give the core to the other side (the build machine has two)
                    continue;
                }
                final long i = received++;
                if (ring.lastType() != type(i) || ring.lastSlot() != i % 1000 || ring.lastBlockNo() != i
                        || ring.lastCount() != 3L * i + 1) {
                    misordered++;
                    if (firstProblem == null) {
                        firstProblem = "message " + i + ": type " + ring.lastType() + " slot " + ring.lastSlot()
                                + " block " + ring.lastBlockNo() + " count " + ring.lastCount();
                    }
                }
            }
            producer.join();
            assertNull(producerFailure.get());
            assertEquals(MESSAGES, received);
            assertEquals(0, misordered, firstProblem);
            assertFalse(ring.poll(), "nothing beyond the last message");
        }
    }

    @Test
    void shouldRejectOfferWhenRingIsFull() {
        try (Arena arena = Arena.ofConfined()) {
            final OneToOneBlockRing ring = new OneToOneBlockRing(arena, 1024);
            int accepted = 0;
            while (ring.offer(OneToOneBlockRing.BLOCK, accepted, accepted, 0)) {
                accepted++;
                assertTrue(accepted <= FITS_IN_1024, "accepted more than fits");
            }
            assertEquals(FITS_IN_1024, accepted);
            assertFalse(ring.offer(OneToOneBlockRing.END, 0, 0, 0), "still full");
            assertTrue(ring.poll());
            assertEquals(0, ring.lastSlot());
            assertTrue(ring.offer(OneToOneBlockRing.END, 99, 99, 0), "one record's room after one poll");
            for (int i = 1; i < accepted; i++) {
                assertTrue(ring.poll());
                assertEquals(i, ring.lastSlot());
                assertEquals(OneToOneBlockRing.BLOCK, ring.lastType());
            }
            assertTrue(ring.poll());
            assertEquals(OneToOneBlockRing.END, ring.lastType());
            assertEquals(99, ring.lastBlockNo());
            assertFalse(ring.poll());
        }
    }

    @Test
    void shouldReturnFalseWhenPollingAnEmptyRing() {
        try (Arena arena = Arena.ofConfined()) {
            final OneToOneBlockRing ring = new OneToOneBlockRing(arena, 1024);
            assertFalse(ring.poll());
            assertTrue(ring.offer(OneToOneBlockRing.ZERO_RUN, -1, 7, 1_000_000_000_000L));
            assertTrue(ring.poll());
            assertEquals(OneToOneBlockRing.ZERO_RUN, ring.lastType());
            assertEquals(-1, ring.lastSlot());
            assertEquals(7, ring.lastBlockNo());
            assertEquals(1_000_000_000_000L, ring.lastCount());
            assertFalse(ring.poll());
        }
    }

    @Test
    void shouldRejectCapacityWhenNotAPowerOfTwo() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> new OneToOneBlockRing(arena, 1000));
        }
    }

    private static int type(final long i) {
        return i % 3 == 0 ? OneToOneBlockRing.ZERO_RUN : OneToOneBlockRing.BLOCK;
    }
}
