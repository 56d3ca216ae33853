package io.cairn.engine.retention;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides which restore points a {@link RetentionPolicy} keeps. Pure: no I/O, no clock (the caller passes "now"),
 * so every rule can be tested with any set of points and times.
 * <p>
 * Per disk, points are walked newest first (by created time, then id) and each rule is applied as restic's
 * {@code forget} applies it:
 * <ul>
 *   <li>newest: the newest point of a disk is always kept (reason {@code "newest"});</li>
 *   <li>keep-last N: the N newest points ({@code "last 1"} .. {@code "last N"});</li>
 *   <li>keep-days N: points created after now - N days ({@code "within 7 days"}); points "from the future"
 *       (a clock that was ahead) count as within;</li>
 *   <li>keep-weekly/monthly/yearly N: walking newest first, a point whose period (UTC; see {@link GfsPeriod})
 *       differs from the last period this rule kept is the newest point of a new period and is kept, until N
 *       periods were kept ({@code "weekly 2026-W47"}, {@code "monthly 2026-11"}, {@code "yearly 2026"}). Periods
 *       without points do not count: N is "the last N periods that have points".</li>
 * </ul>
 * A point is kept when any rule keeps it (with every such reason) and removed otherwise.
 */
public final class RetentionPlanner {
    private static final Comparator<RetentionCandidate> NEWEST_FIRST = Comparator
            .comparing(RetentionCandidate::created).thenComparing(RetentionCandidate::id).reversed();

    private RetentionPlanner() {
    }

    /**
     * @param points the restore points (of any disks; ids must be unique)
     * @param now    the time "keep-days" counts back from
     */
    public static RetentionPlan plan(final List<RetentionCandidate> points, final RetentionPolicy policy,
                                     final Instant now) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(now, "now");
        final Map<String, List<RetentionCandidate>> byDisk = new TreeMap<>();
        for (RetentionCandidate p : points) {
            byDisk.computeIfAbsent(p.disk(), d -> new ArrayList<>()).add(p);
        }
        final Instant cutoff = now.minus(Duration.ofDays(policy.keepDays()));
        final List<RetentionDecision> out = new ArrayList<>(points.size());
        for (List<RetentionCandidate> disk : byDisk.values()) {
            disk.sort(NEWEST_FIRST);
            final List<RetentionDecision> decisions = planDisk(disk, policy, cutoff);
            out.addAll(decisions.reversed()); // oldest first
        }
        return new RetentionPlan(policy, out);
    }

    private static List<RetentionDecision> planDisk(final List<RetentionCandidate> newestFirst,
                                                    final RetentionPolicy policy, final Instant cutoff) {
        final GfsPeriod[] periods = GfsPeriod.values();
        final int[] left = {policy.keepWeekly(), policy.keepMonthly(), policy.keepYearly()};
        final String[] lastKey = new String[periods.length];
        final List<RetentionDecision> out = new ArrayList<>(newestFirst.size());
        for (int rank = 0; rank < newestFirst.size(); rank++) {
            final RetentionCandidate p = newestFirst.get(rank);
            final List<String> reasons = new ArrayList<>(4);
            if (rank == 0) {
                reasons.add("newest");
            }
            if (rank < policy.keepLast()) {
                reasons.add("last " + (rank + 1));
            }
            if (policy.keepDays() > 0 && p.created().isAfter(cutoff)) {
                reasons.add("within " + policy.keepDays() + (policy.keepDays() == 1 ? " day" : " days"));
            }
            for (int i = 0; i < periods.length; i++) {
                if (left[i] == 0) {
                    continue;
                }
                final String key = periods[i].keyOf(p.created());
                if (!key.equals(lastKey[i])) {
                    lastKey[i] = key;
                    left[i]--;
                    reasons.add(periods[i].ruleName() + " " + key);
                }
            }
            final boolean keep = !reasons.isEmpty();
            out.add(new RetentionDecision(p, keep, keep ? reasons : List.of(RetentionDecision.NO_RULE)));
        }
        return out;
    }
}
