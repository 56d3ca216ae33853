package io.cairn.engine.source.nbd;

import java.io.IOException;
import java.nio.channels.Channel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds how long a blocking socket operation may take. Unix-domain {@code SocketChannel}s have no read timeout,
 * so a daemon thread watches the time the current operation started and closes the channel when it runs past the
 * timeout; the blocked read then fails with an {@code AsynchronousCloseException} that the owner turns into a
 * clear "did not answer within" error through {@link #timedOut()}.
 * <p>
 * Threads: {@link #begin()} and {@link #end()} on the thread doing I/O (one volatile write each, no allocation);
 * the watchdog thread only reads them. Design note: one thread per connection is cheap next to a backup and keeps
 * the hot path free of selectors and their per-select allocations.
 */
final class ChannelWatchdog implements AutoCloseable {
    private final Channel channel;
    private final long timeoutNs;
    private final Thread thread;
    /** System.nanoTime() when the current operation began, 0 when idle; written by the I/O thread. */
    private volatile long busySinceNs;
    private volatile boolean timedOut;
    private volatile boolean closed;

    ChannelWatchdog(final Channel channel, final long timeoutNs, final String name) {
        if (timeoutNs <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutNs + " ns");
        }
        this.channel = channel;
        this.timeoutNs = timeoutNs;
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::watch);
    }

    /** Marks the start of a blocking operation. */
    void begin() {
        long now = System.nanoTime();
        busySinceNs = now == 0 ? 1 : now; // 0 means idle
    }

    /** Marks its end. */
    void end() {
        busySinceNs = 0;
    }

    /** True when the watchdog closed the channel because an operation ran past the timeout. */
    boolean timedOut() {
        return timedOut;
    }

    long timeoutMillis() {
        return TimeUnit.NANOSECONDS.toMillis(timeoutNs);
    }

    private void watch() {
        final long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(timeoutNs / 8,
                TimeUnit.SECONDS.toNanos(1)));
        while (!closed) {
            LockSupport.parkNanos(tick);
            final long since = busySinceNs;
            if (since != 0 && System.nanoTime() - since > timeoutNs && !closed) {
                timedOut = true;
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing is all we can do; the blocked reader sees the close
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
