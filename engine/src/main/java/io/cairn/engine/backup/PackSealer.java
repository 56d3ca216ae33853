package io.cairn.engine.backup;

import io.cairn.engine.DebugPause;
import io.cairn.engine.Threads;
import io.cairn.format.Repository;
import io.cairn.format.pack.PackWriter;
import io.cairn.format.pack.SealedPack;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Seals and publishes full packs (FORMAT.md section 6 step 2: footer, fdatasync, read back, rename, directory
 * fsync) on its own thread, so that the writer stage goes on appending blocks to the next pack meanwhile.
 * <p>
 * Design note: sealing a 64 MiB pack inline stalled the whole pipeline for the fdatasync (every byte goes out of
 * the page cache, and on a VM the host's cache is flushed too): with slots for ~15 ms of compression, the workers
 * ran dry at every pack. At most one pack is in the sealer: handing over the next waits for it, so the pipeline
 * holds at most two packs' page-cache bytes and a failure surfaces no later than the next full pack. The commit
 * protocol is unchanged: the restore point is written only after {@link #awaitIdle} saw every pack published.
 * <p>
 * Threads: {@link #submit}, {@link #awaitIdle} and {@link #close} from the writer stage's thread; the sealing
 * thread owns a handed-over writer until it reports idle (the lock's hand-off orders both sides).
 */
final class PackSealer implements AutoCloseable {
    private final Repository repo;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Thread thread;
    /** Handed over, not yet taken by the sealing thread. */
    private PackWriter pending;
    /** A pack is handed over and not yet sealed and published (or failed). */
    private boolean busy;
    private boolean closed;
    private Throwable failure;
    private int packsPublished;

    PackSealer(final Repository repo) {
        this.repo = repo;
    }

    /**
     * Hands a full pack over for sealing and publishing; first waits until the previous one is published.
     *
     * @throws IOException the failure of an earlier pack's seal or publish (nothing is handed over then)
     */
    void submit(final PackWriter writer) throws IOException {
        lock.lock();
        try {
            awaitIdleLocked();
            if (closed) {
                throw new IllegalStateException("pack sealer closed");
            }
            if (thread == null) {
                thread = Thread.ofPlatform().name("cairn-pack-sealer").daemon().start(this::run);
            }
            pending = writer;
            busy = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every handed-over pack is published. @throws IOException the first seal or publish failure */
    void awaitIdle() throws IOException {
        lock.lock();
        try {
            awaitIdleLocked();
        } finally {
            lock.unlock();
        }
    }

    int packsPublished() {
        lock.lock();
        try {
            return packsPublished;
        } finally {
            lock.unlock();
        }
    }

    private void awaitIdleLocked() throws IOException {
        while (busy) {
            changed.awaitUninterruptibly();
        }
        if (failure != null) {
            // the sealing thread's own exception, unchanged: callers map its type to the one-line error and exit code
            switch (failure) {
                case IOException e -> throw e;
                case RuntimeException e -> throw e;
                case Error e -> throw e;
                default -> throw new IllegalStateException(failure);
            }
        }
    }

    private void run() {
        while (true) {
            final PackWriter writer;
            lock.lock();
            try {
                while (pending == null && !closed) {
                    changed.awaitUninterruptibly();
                }
                if (closed) {
                    busy = false; // a pack handed over but not taken is its owner's to abort
                    pending = null;
                    changed.signalAll();
                    return;
                }
                writer = pending;
                pending = null;
            } finally {
                lock.unlock();
            }
            Throwable failed = null;
            try {
                DebugPause.at("before-pack-seal");
                final SealedPack sealed = writer.seal();
                DebugPause.at("before-pack-publish");
                repo.publishPack(sealed);
                DebugPause.at("after-pack-publish");
            } catch (IOException | RuntimeException | Error e) {
                failed = e;
                writer.abort();
            }
            lock.lock();
            try {
                if (failed == null) {
                    packsPublished++;
                } else if (failure == null) {
                    failure = failed;
                }
                busy = false;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Stops the sealing thread after the pack it is sealing, if any (a seal is never cut short). A pack handed over
     * but not yet taken is left to its owner to abort.
     */
    @Override
    public void close() {
        final Thread t;
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            Threads.join(t);
        }
    }
}
