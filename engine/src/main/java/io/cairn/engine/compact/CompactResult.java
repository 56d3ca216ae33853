package io.cairn.engine.compact;

/**
 * The outcome of a compact run (or, with {@code dryRun}, what a run would do now).
 *
 * @param dryRun                     nothing was changed on purpose; byte figures are estimates
 * @param thresholdPct               the garbage share from which a partly live pack is rewritten
 * @param packsBefore                sealed packs found (damaged ones included)
 * @param packsRewritten             partly live packs whose live blocks were copied, then deleted
 * @param packsDeleted               packs holding no live block, deleted without copying
 * @param packsWritten               new packs written
 * @param packsDamaged               packs that fail their checks (left alone)
 * @param packsKeptForDamage         packs that were to go but keep a record that failed its check while copying
 * @param recordsFailed              records that failed their check while compact read them (never copied)
 * @param liveBlocks                 distinct non-zero block ids the restore points reference
 * @param liveBlocksMissing          of those, ids that no intact pack holds (verify names the points)
 * @param blocksCopied               records copied into new packs
 * @param bytesCopied                record bytes (headers and stored bytes) copied into new packs
 * @param bytesReclaimed             bytes of deleted packs and tmp/ leftovers minus the bytes of new packs
 * @param garbageBelowThresholdBytes garbage left in packs kept because their garbage is below the threshold
 * @param packsBelowThreshold        packs kept with some garbage below the threshold
 * @param tmpFilesRemoved            leftovers of interrupted runs removed from tmp/
 * @param durationNs                 wall time
 */
public record CompactResult(boolean dryRun, int thresholdPct, int packsBefore, int packsRewritten, int packsDeleted,
                            int packsWritten, int packsDamaged, int packsKeptForDamage, long recordsFailed,
                            long liveBlocks, long liveBlocksMissing, long blocksCopied, long bytesCopied,
                            long bytesReclaimed, long garbageBelowThresholdBytes, int packsBelowThreshold,
                            int tmpFilesRemoved, long durationNs) {
}
