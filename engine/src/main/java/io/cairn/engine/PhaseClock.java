package io.cairn.engine;

import java.lang.management.ManagementFactory;

/**
 * Start-up and phase timing for performance work: with {@code -Dcairn.timing=true} (e.g. through
 * {@code CAIRN_JAVA_OPTS}) every {@link #mark} prints one line to stderr, {@code cairn: timing NAME at T ms}, T
 * counted from the JVM's start. Off by default; a disabled mark costs one static boolean test.
 * <p>
 * Threads: any; lines from several threads interleave whole.
 */
public final class PhaseClock {
    private static final boolean ENABLED = Boolean.getBoolean("cairn.timing");
    /** Epoch milliseconds of the JVM's start, read once and only when enabled (the management bean is heavy). */
    private static final long JVM_START_MS = ENABLED ? ManagementFactory.getRuntimeMXBean().getStartTime() : 0;

    private PhaseClock() {
    }

    public static boolean enabled() {
        return ENABLED;
    }

    public static void mark(final String phase) {
        if (ENABLED) {
            System.err.println("cairn: timing " + phase + " at " + (System.currentTimeMillis() - JVM_START_MS)
                    + " ms");
        }
    }
}
