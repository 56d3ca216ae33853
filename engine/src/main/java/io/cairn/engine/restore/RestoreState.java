package io.cairn.engine.restore;

import java.util.concurrent.atomic.AtomicReference;

/** The first failure of any restore stage; every stage polls it and stops. Agents never die silently. */
final class RestoreState {
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
