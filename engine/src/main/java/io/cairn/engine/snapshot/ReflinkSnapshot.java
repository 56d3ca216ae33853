package io.cairn.engine.snapshot;

import io.cairn.nativeio.FileSystemControl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A crash-consistent point-in-time copy of a disk image file: a reflink clone ({@code FICLONE}) made next to the
 * image, named {@code .NAME.cairn-snap-PID}, read as the backup source and deleted by {@link #close()}.
 *
 * <p>Freeze: when a mount point is given, the file system mounted there is frozen ({@code FIFREEZE}) around the
 * clone and thawed in a {@code finally}. This is meant for a file system that lives <em>inside</em> the image
 * (a loop-mounted image, say), so that its on-disk state is quiesced in the clone. The mount point must not be
 * the file system that holds the image: a frozen file system cannot create the clone's inode, so {@link #take}
 * refuses that case up front. A watchdog thread thaws the file system after {@link #MAX_FREEZE} even if the clone
 * hangs; the snapshot then fails, because the freeze no longer covered it.
 *
 * <p>Clean-up: a shutdown hook deletes the clone (and thaws a frozen file system) when the JVM exits on SIGTERM
 * or SIGINT before {@link #close()}; {@code close()} deletes the clone and removes the hook. A SIGKILL leaves the
 * hidden clone behind (the name carries the pid so it can be traced) and, if it hit during the freeze, a frozen
 * file system that {@code fsfreeze -u} thaws.
 *
 * <p>Threads: {@link #take} and {@link #close()} on one thread; the watchdog and the shutdown hook are internal.
 * Thawing is claimed once through {@link AtomicBoolean#compareAndSet}, so the caller, the watchdog and the hook
 * never thaw twice.
 */
public final class ReflinkSnapshot implements AutoCloseable {
    /** The longest time a file system stays frozen before the watchdog thaws it. */
    public static final Duration MAX_FREEZE = Duration.ofSeconds(10);

    private final Path source;
    private final Path clone;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private ReflinkSnapshot(final Path source, final Path clone, final Thread shutdownHook) {
        this.source = source;
        this.clone = clone;
        this.shutdownHook = shutdownHook;
    }

    /**
     * Clones {@code source} into {@code scratchDir} (the image's own directory when null; it must be on the same
     * file system), freezing {@code freezeMountPoint} around the clone when it is not null.
     *
     * @throws IOException for a file system without reflink (the message says "does not support reflink"), a
     *                     failed freeze or thaw, or a freeze that the watchdog had to end; nothing is left behind
     * @throws IllegalArgumentException when {@code freezeMountPoint} is the file system that holds the clone
     */
    public static ReflinkSnapshot take(final Path source, final Path scratchDir, final Path freezeMountPoint)
        throws IOException {
        return take(source, scratchDir, freezeMountPoint, MAX_FREEZE);
    }

    static ReflinkSnapshot take(final Path source, final Path scratchDir, final Path freezeMountPoint,
                                final Duration maxFreeze) throws IOException {
        final Path image = source.toAbsolutePath();
        if (!Files.isRegularFile(image)) {
            throw new IOException("reflink snapshot needs a regular image file: " + image);
        }
        final Path dir = scratchDir != null ? scratchDir.toAbsolutePath() : image.getParent();
        if (freezeMountPoint != null && sameFileSystem(dir, freezeMountPoint)) {
            throw new IllegalArgumentException("--freeze " + freezeMountPoint + " is the file system that holds "
                + dir + ": a frozen file system cannot take the clone; freeze the file system inside the image");
        }
        final Path clone = dir.resolve("." + image.getFileName() + ".cairn-snap-" + ProcessHandle.current().pid());
        final AtomicBoolean thawed = new AtomicBoolean(freezeMountPoint == null);
        final Thread hook = new Thread(() -> cleanUp(clone, freezeMountPoint, thawed), "cairn-snapshot-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok = false;
        try {
            if (freezeMountPoint == null) {
                FileSystemControl.cloneFile(image, clone);
            } else {
                cloneFrozen(image, clone, freezeMountPoint, thawed, maxFreeze);
            }
            ok = true;
            return new ReflinkSnapshot(image, clone, hook);
        } finally {
            if (!ok) {
                Files.deleteIfExists(clone);
                removeHook(hook);
            }
        }
    }

    private static void cloneFrozen(final Path image, final Path clone, final Path mountPoint,
                                    final AtomicBoolean thawed, final Duration maxFreeze) throws IOException {
        final CountDownLatch cloned = new CountDownLatch(1);
        final AtomicBoolean watchdogFired = new AtomicBoolean();
        FileSystemControl.freeze(mountPoint);
        final Thread watchdog = Thread.ofPlatform().daemon().name("cairn-freeze-watchdog").start(() -> {
            try {
                if (!cloned.await(maxFreeze.toNanos(), TimeUnit.NANOSECONDS) && thawed.compareAndSet(false, true)) {
                    watchdogFired.set(true);
                    FileSystemControl.thaw(mountPoint);
                }
            } catch (final InterruptedException | IOException e) {
                // nothing more a watchdog can do; the caller's finally thaws if the watchdog did not
            }
        });
        try {
            FileSystemControl.cloneFile(image, clone);
        } finally {
            cloned.countDown();
            if (thawed.compareAndSet(false, true)) {
                FileSystemControl.thaw(mountPoint);
            }
            try {
                watchdog.join();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (watchdogFired.get()) {
            throw new IOException("the clone of " + image + " took longer than the " + maxFreeze.toSeconds()
                + " s freeze limit; " + mountPoint + " was thawed and the snapshot discarded");
        }
    }

    private static boolean sameFileSystem(final Path a, final Path b) throws IOException {
        return Files.getAttribute(a, "unix:dev").equals(Files.getAttribute(b, "unix:dev"));
    }

    private static void cleanUp(final Path clone, final Path mountPoint, final AtomicBoolean thawed) {
        try {
            if (mountPoint != null && thawed.compareAndSet(false, true)) {
                FileSystemControl.thaw(mountPoint);
            }
        } catch (final IOException e) {
            // best effort during shutdown
        }
        try {
            Files.deleteIfExists(clone);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeHook(final Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** The image that was cloned. */
    public Path source() {
        return source;
    }

    /** The clone: read it as the backup source; it does not change while it exists. */
    public Path clone() {
        return clone;
    }

    /** Deletes the clone. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(clone);
        } finally {
            removeHook(shutdownHook);
        }
    }
}
