package io.cairn.engine.restore;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The background syncer's contract, with a sync action the test controls: a sync once an interval has been
 * written, never two at once, none after a failure, the failure thrown to the writer and by finish, and the
 * thread gone after finish or abandon.
 */
class RestoreSyncerTest {
    private static final long MIB = 1 << 20;

    @Test
    void shouldSyncOncePerIntervalAndNeverTwoAtOnce() throws Exception {
        final Semaphore started = new Semaphore(0);
        final Semaphore release = new Semaphore(0);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final RestoreSyncer s = new RestoreSyncer(() -> {
            if (running.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            started.release();
            release.acquireUninterruptibly();
            running.decrementAndGet();
        }, 8 * MIB);

        s.wrote(8 * MIB - 1);
        assertFalse(started.tryAcquire(200, TimeUnit.MILLISECONDS), "no sync before an interval is written");
        s.wrote(8 * MIB);
        started.acquire(); // the first sync runs (and blocks)
        for (long total = 9 * MIB; total <= 64 * MIB; total += MIB) {
            s.wrote(total); // intervals pass while it runs: no second sync starts
        }
        assertFalse(started.tryAcquire(200, TimeUnit.MILLISECONDS), "one sync in flight at most");
        release.release();
        // once the first finished, the writer's next write past the interval asks again
        long total = 64 * MIB;
        while (!started.tryAcquire(10, TimeUnit.MILLISECONDS)) {
            total += MIB;
            s.wrote(total);
        }
        release.release();
        s.finish();

        assertEquals(2, s.syncs());
        assertTrue(s.syncNs() > 0);
        assertEquals(0, overlaps.get());
        assertFalse(syncThreadAlive(), "finish stops the sync thread");
    }

    @Test
    void shouldThrowASyncFailureToTheWriterAndFromFinishAndNotSyncAgain() throws Exception {
        final IOException boom = new IOException("fdatasync /x: EIO (Input/output error)");
        final AtomicInteger calls = new AtomicInteger();
        final RestoreSyncer s = new RestoreSyncer(() -> {
            calls.incrementAndGet();
            throw boom;
        }, MIB);

        s.wrote(MIB);
        long total = MIB;
        IOException seen = null;
        while (seen == null) { // the failure reaches a later write, whenever the sync thread got to it
            total += MIB;
            try {
                s.wrote(total);
                Thread.sleep(1);
            } catch (IOException e) {
                seen = e;
            }
        }
        assertSame(boom, seen);
        assertSame(boom, assertThrows(IOException.class, s::finish));
        assertEquals(1, calls.get(), "no sync is tried after a failed one");
        assertEquals(0, s.syncs());
        assertFalse(syncThreadAlive());
    }

    @Test
    void shouldWaitForASyncInFlightWhenAbandoned() throws Exception {
        final Semaphore started = new Semaphore(0);
        final AtomicInteger finished = new AtomicInteger();
        final RestoreSyncer s = new RestoreSyncer(() -> {
            started.release();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            finished.incrementAndGet();
        }, MIB);
        s.wrote(MIB);
        started.acquire();

        s.abandon();

        assertEquals(1, finished.get(), "the sync in flight ended before abandon returned (the file closes next)");
        assertFalse(syncThreadAlive());
    }

    @Test
    void shouldRejectANonPositiveInterval() {
        assertThrows(IllegalArgumentException.class, () -> new RestoreSyncer(() -> { }, 0));
    }

    static boolean syncThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("cairn-restore-sync") && t.isAlive());
    }
}
