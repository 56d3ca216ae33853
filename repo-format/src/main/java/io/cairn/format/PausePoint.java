package io.cairn.format;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test hook for crash tests (the implementation behind the engine's {@code DebugPause}; it lives here so that the
 * commit steps inside repo-format, such as "renamed but directory not yet fsynced", can be paused too, and
 * repo-format imports nothing from the engine).
 * <p>
 * When the environment variable {@code CAIRN_DEBUG_PAUSE_AT} names a point, the process prints
 * {@code cairn-debug-paused: NAME} on stderr and sleeps there, so that a test can kill -9 it at exactly that
 * moment. {@code NAME#K} pauses at the K-th time (1-based) the point is reached, which turns a point that is
 * passed many times (once per pack, once per deleted point) into many distinct kill moments.
 * <p>
 * When {@code CAIRN_DEBUG_RESUME_FILE} is set too, the pause ends as soon as that file exists (the process then
 * prints {@code cairn-debug-resumed: NAME} and carries on), so a test can do something while a writer holds the
 * lock at a known step (start a second writer, make the source fail) and then let the first one finish.
 * <p>
 * Costs one string comparison per call when the variable is unset (cold paths only: once per pack, per point,
 * per rename).
 */
public final class PausePoint {
    private static final String AT = System.getenv("CAIRN_DEBUG_PAUSE_AT");
    private static final String RESUME_FILE = System.getenv("CAIRN_DEBUG_RESUME_FILE");
    private static final long MAX_PAUSE_MS = 600_000;
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

    private PausePoint() {
    }

    /** Pauses here if {@code CAIRN_DEBUG_PAUSE_AT} names this point (and this is the chosen pass). */
    public static void at(final String name) {
        if (NAME != null && NAME.equals(name) && SEEN.incrementAndGet() == OCCURRENCE) {
            System.err.println("cairn-debug-paused: " + AT);
            System.err.flush();
            try {
                sleepUntilResumed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleepUntilResumed() throws InterruptedException {
        if (RESUME_FILE == null) {
            Thread.sleep(MAX_PAUSE_MS);
            return;
        }
        final Path resume = Path.of(RESUME_FILE);
        final long deadline = System.nanoTime() + MAX_PAUSE_MS * 1_000_000;
        while (!Files.exists(resume) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        System.err.println("cairn-debug-resumed: " + AT);
        System.err.flush();
    }
}
