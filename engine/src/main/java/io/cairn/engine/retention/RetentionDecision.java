package io.cairn.engine.retention;

import java.util.List;

/**
 * What the planner decided for one restore point.
 *
 * @param point   the point
 * @param keep    true to keep it, false to remove it
 * @param reasons why: every rule that keeps it (e.g. {@code "last 1"}, {@code "weekly 2026-W47"},
 *                {@code "monthly 2026-11"}), or, for a removed point, the one reason {@code "kept by no rule"}
 */
public record RetentionDecision(RetentionCandidate point, boolean keep, List<String> reasons) {
    /** The reason of a removed point. */
    public static final String NO_RULE = "kept by no rule";

    public RetentionDecision {
        reasons = List.copyOf(reasons);
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("a decision needs a reason");
        }
    }
}
