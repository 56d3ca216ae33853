package io.cairn.engine.backup;

import java.util.concurrent.atomic.AtomicReference;

/** The first failure of any pipeline stage; every stage polls it and stops. Agents never die silently. */
final class PipelineState {
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    void fail(final Throwable t) {
        failure.compareAndSet(null, t);
    }

    boolean failed() {
        return failure.get() != null;
    }

    Throwable failure() {
        return failure.get();
    }
}
