package io.cairn.engine;

import java.io.IOException;
import java.util.List;

/**
 * What the pipelines' owning threads do with their helper threads and their failures: join without giving up on
 * an interrupt (a stage must have stopped before its buffers and files are closed; the interrupt is kept for the
 * caller), and rethrow a stage's failure as the IOException or unchecked exception it was.
 */
public final class Threads {
    private Threads() {
    }

    /** Joins every thread, waiting on through interrupts; re-asserts the interrupt afterwards. */
    public static void joinAll(final Iterable<Thread> threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #joinAll} of one thread. */
    public static void join(final Thread thread) {
        joinAll(List.of(thread));
    }

    /**
     * A stage's failure as thrown by the job: an IOException as is, an unchecked exception or error rethrown as is,
     * anything else wrapped.
     */
    public static IOException asIOException(final Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }

    /**
     * The per-stage summary both pipelines print: the stage that was busiest relative to its capacity (workers'
     * busy time is shared by their number).
     */
    public static String bottleneck(final long durationNs, final long readerBusyNs, final long workerBusyNs,
                                    final int workers, final long writerBusyNs) {
        final double d = Math.max(1, durationNs);
        final double reader = readerBusyNs / d;
        final double worker = workerBusyNs / d / Math.max(1, workers);
        final double writer = writerBusyNs / d;
        if (reader >= worker && reader >= writer) {
            return String.format("source (reader busy %.0f%%, workers %.0f%%, writer %.0f%%)", reader * 100,
                    worker * 100, writer * 100);
        }
        if (worker >= writer) {
            return String.format("cpu (workers busy %.0f%%, reader %.0f%%, writer %.0f%%)", worker * 100,
                    reader * 100, writer * 100);
        }
        return String.format("target (writer busy %.0f%%, reader %.0f%%, workers %.0f%%)", writer * 100,
                reader * 100, worker * 100);
    }
}
