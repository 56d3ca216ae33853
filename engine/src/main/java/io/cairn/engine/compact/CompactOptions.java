package io.cairn.engine.compact;

/**
 * How to compact.
 *
 * @param thresholdPct rewrite a partly live pack when at least this share (percent, 0-100) of its record bytes is
 *                     garbage; packs with no live block are deleted whatever the threshold; 0 reclaims everything
 * @param dryRun       only plan and report; take no lock, change nothing
 * @param waitForLock  wait while another writer (a backup) holds the lock instead of failing
 */
public record CompactOptions(int thresholdPct, boolean dryRun, boolean waitForLock) {
    /**
     * The default threshold. Rewriting a pack costs reading and writing its live bytes: at 10 % garbage each byte
     * reclaimed costs about nine bytes copied, and below that compact leaves the pack alone.
     */
    public static final int DEFAULT_THRESHOLD_PCT = 10;

    public CompactOptions {
        if (thresholdPct < 0 || thresholdPct > 100) {
            throw new IllegalArgumentException("threshold must be a percentage from 0 to 100, not " + thresholdPct);
        }
    }
}
