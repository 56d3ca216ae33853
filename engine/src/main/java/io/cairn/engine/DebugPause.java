package io.cairn.engine;

/**
 * Test hook for crash tests: when the environment variable {@code CAIRN_DEBUG_PAUSE_AT} names this point, the
 * process prints {@code cairn-debug-paused: NAME} on stderr and sleeps, so that a test can kill -9 it at exactly
 * that moment. Costs one map lookup per named point (cold paths only).
 */
public final class DebugPause {
    private static final String AT = System.getenv("CAIRN_DEBUG_PAUSE_AT");

    private DebugPause() {
    }

    public static void at(final String name) {
        if (AT != null && AT.equals(name)) {
            System.err.println("cairn-debug-paused: " + name);
            System.err.flush();
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
