package io.cairn.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test hook for crash tests: when the environment variable {@code CAIRN_DEBUG_PAUSE_AT} names this point, the
 * process prints {@code cairn-debug-paused: NAME} on stderr and sleeps, so that a test can kill -9 it at exactly
 * that moment. {@code NAME#K} pauses at the K-th time (1-based) the point is reached, which turns a point that is
 * passed many times (once per pack, once per deleted point) into many distinct kill moments.
 * When {@code CAIRN_DEBUG_RESUME_FILE} names a file, the pause ends as soon as that file exists, so a test can
 * act at that moment (write to the source, say) and then let the process go on.
 * Costs one string comparison per call when the variable is unset (cold paths only).
 */
public final class DebugPause {
    private static final String AT = System.getenv("CAIRN_DEBUG_PAUSE_AT");
    private static final String RESUME_FILE = System.getenv("CAIRN_DEBUG_RESUME_FILE");
    private static final String NAME;
    private static final int OCCURRENCE;
    private static final AtomicInteger SEEN = new AtomicInteger();

    static {
        final int hash = AT == null ? -1 : AT.lastIndexOf('#');
        if (hash > 0) {
            NAME = AT.substring(0, hash);
            OCCURRENCE = Integer.parseInt(AT.substring(hash + 1));
        } else {
            NAME = AT;
            OCCURRENCE = 1;
        }
    }

    private DebugPause() {
    }

    public static void at(final String name) {
        if (NAME != null && NAME.equals(name) && SEEN.incrementAndGet() == OCCURRENCE) {
            System.err.println("cairn-debug-paused: " + AT);
            System.err.flush();
            try {
                final long deadline = System.nanoTime() + 600_000_000_000L;
                while (System.nanoTime() - deadline < 0
                        && (RESUME_FILE == null || !java.nio.file.Files.exists(java.nio.file.Path.of(RESUME_FILE)))) {
                    Thread.sleep(RESUME_FILE == null ? 600_000 : 10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
