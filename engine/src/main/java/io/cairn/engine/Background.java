package io.cairn.engine;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * One-off work started on a daemon thread at a job's start and taken where it is needed, so that it overlaps the
 * job's own start on the second core (the pipelines' slot buffers: tens of MiB that the JDK zeroes, ~0.12 s of
 * page faults on the 2-core build machine, overlapped with loading the repository's catalog).
 */
public final class Background {
    private Background() {
    }

    /** Starts {@code work} on a new daemon thread named {@code name}; returns at once. */
    public static <T> FutureTask<T> start(final String name, final Callable<T> work) {
        final FutureTask<T> task = new FutureTask<>(work);
        Thread.ofPlatform().name(name).daemon().start(task);
        return task;
    }

    /** The result of {@link #start}, waiting for it; its exception is rethrown as is when unchecked. */
    public static <T> T await(final FutureTask<T> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException("background work failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
