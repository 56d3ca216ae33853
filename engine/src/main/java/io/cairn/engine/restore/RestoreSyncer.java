package io.cairn.engine.restore;

import io.cairn.engine.Threads;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * Flushes the restore target on a thread of its own while the restore runs, so the final fdatasync has little
 * left. Why: raw writes go out with O_DIRECT and leave the page cache at once, but a device with a volatile write
 * cache (here a VM's virtio disk, backed by the host's page cache) holds them until a flush, so one fdatasync at
 * the end paid for every byte written (0.25-1.4 s of a 3-5 s restore of 1.9 GB). A sync every
 * {@code intervalBytes} written overlaps that cost with the rest of the restore. The final fdatasync stays: it
 * alone makes the restore durable.
 * <p>
 * At most one sync is in flight: when one is still running as the next interval is reached, the request waits
 * for the writer's next write after it finished. The writer's part ({@link #wrote}) is two volatile reads, and
 * once an interval a volatile write and an unpark: never a wait.
 * <p>
 * A failed sync is kept and thrown by the writer's next {@link #wrote} or by {@link #finish}, and no further sync
 * is tried: after a failed fdatasync the kernel may have dropped the dirty state, so a later sync can succeed
 * without the data being on disk (see {@code LinuxFile#fdatasync}); the restore must fail.
 * <p>
 * Threads: {@link #wrote}, {@link #finish} and {@link #abandon} on the writer thread; the syncs on
 * {@code cairn-restore-sync}. Counters are read after {@link #finish} (the join orders them).
 */
final class RestoreSyncer {
    /** One flush of the target to stable storage (an fdatasync). */
    @FunctionalInterface
    interface SyncAction {
        void sync() throws IOException;
    }

    private final SyncAction action;
    private final long intervalBytes;
    private final Thread thread;
    /** Syncs asked for; written by the writer only. */
    private volatile long requested;
    /** Syncs done (or given up after a failure); written by the sync thread only. */
    private volatile long completed;
    private volatile boolean stopping;
    private volatile Throwable failure;
    /** Writer only: the byte count at which to ask for the next sync. */
    private long nextAt;
    /** Sync thread only until the join. */
    private long syncs;
    private long syncNs;

    RestoreSyncer(final SyncAction action, final long intervalBytes) {
        if (intervalBytes <= 0) {
            throw new IllegalArgumentException("sync interval must be positive: " + intervalBytes);
        }
        this.action = action;
        this.intervalBytes = intervalBytes;
        this.nextAt = intervalBytes;
        this.thread = Thread.ofPlatform().name("cairn-restore-sync").daemon().start(this::run);
    }

    /**
     * Tells the syncer that {@code totalBytes} have been written so far; asks for a sync when an interval has
     * passed since the last request and none is running.
     *
     * @throws IOException the failure of an earlier background sync
     */
    void wrote(final long totalBytes) throws IOException {
        final Throwable f = failure;
        if (f != null) {
            throw Threads.asIOException(f);
        }
        if (totalBytes < nextAt || completed != requested) {
            return;
        }
        nextAt = totalBytes + intervalBytes;
        requested = requested + 1;
        LockSupport.unpark(thread);
    }

    /**
     * Stops the sync thread, waiting for a sync in flight (a request not yet started is dropped: the caller's
     * final sync covers it).
     *
     * @throws IOException the failure of a background sync
     */
    void finish() throws IOException {
        stop();
        final Throwable f = failure;
        if (f != null) {
            throw Threads.asIOException(f);
        }
    }

    /** Stops the sync thread for a failed restore; a sync failure is ignored (the restore already failed). */
    void abandon() {
        stop();
    }

    /** Background syncs that completed successfully. */
    long syncs() {
        return syncs;
    }

    /** Nanoseconds spent in the background syncs (on their own thread, overlapping the restore). */
    long syncNs() {
        return syncNs;
    }

    private void stop() {
        stopping = true;
        LockSupport.unpark(thread);
        Threads.join(thread);
    }

    private void run() {
        while (!stopping) {
            final long wanted = requested;
            if (completed == wanted) {
                LockSupport.park(this);
                continue;
            }
            final long t0 = System.nanoTime();
            try {
                action.sync();
            } catch (Throwable t) {
                failure = t;
                completed = wanted;
                return;
            }
            syncNs += System.nanoTime() - t0;
            syncs++;
            completed = wanted;
        }
    }
}
