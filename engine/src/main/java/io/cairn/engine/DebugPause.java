package io.cairn.engine;

import io.cairn.format.PausePoint;

/**
 * Test hook for crash tests: when the environment variable {@code CAIRN_DEBUG_PAUSE_AT} names this point, the
 * process prints {@code cairn-debug-paused: NAME} on stderr and sleeps, so that a test can kill -9 it at exactly
 * that moment. {@code NAME#K} pauses at the K-th time (1-based) the point is reached, which turns a point that is
 * passed many times (once per pack, once per deleted point) into many distinct kill moments.
 * {@code CAIRN_DEBUG_RESUME_FILE} lets a paused process carry on once that file exists.
 * Costs one string comparison per call when the variable is unset (cold paths only).
 * <p>
 * The implementation is {@link PausePoint} in repo-format, so that points of both modules share one counter and
 * one set of rules.
 */
public final class DebugPause {
    private DebugPause() {
    }

    public static void at(final String name) {
        PausePoint.at(name);
    }
}
