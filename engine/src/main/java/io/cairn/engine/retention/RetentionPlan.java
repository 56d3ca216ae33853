package io.cairn.engine.retention;

import java.util.List;

/**
 * The planner's answer: one decision per restore point, grouped by disk (disks by name), oldest point first within
 * a disk.
 *
 * @param policy    the policy that was applied
 * @param decisions every point's decision
 */
public record RetentionPlan(RetentionPolicy policy, List<RetentionDecision> decisions) {
    public RetentionPlan {
        decisions = List.copyOf(decisions);
    }

    public List<RetentionDecision> kept() {
        return decisions.stream().filter(RetentionDecision::keep).toList();
    }

    public List<RetentionDecision> removed() {
        return decisions.stream().filter(d -> !d.keep()).toList();
    }
}
