package io.cairn.engine.retention;

/**
 * The outcome of a retention run.
 *
 * @param plan          what was decided for every point
 * @param dryRun        true when nothing was deleted on purpose
 * @param deletedPoints points actually deleted (0 on a dry run; less than {@code plan.removed().size()} only when
 *                      a point vanished meanwhile)
 */
public record RetentionResult(RetentionPlan plan, boolean dryRun, int deletedPoints) {
}
