package io.cairn.engine.retention;

import java.util.ArrayList;
import java.util.List;

/**
 * Which restore points of a disk to keep, as restic's {@code forget} does: the union of what each rule keeps.
 * A count of 0 switches a rule off; at least one rule must be on (an empty policy would keep only the newest
 * point, so a mistyped command line could delete almost everything). The newest point of a disk is always kept.
 *
 * @param keepLast    the N newest points
 * @param keepDays    every point created within the N days before "now"
 * @param keepWeekly  the newest point of each of the last N ISO-8601 weeks (UTC) that have points
 * @param keepMonthly the newest point of each of the last N calendar months (UTC) that have points
 * @param keepYearly  the newest point of each of the last N calendar years (UTC) that have points
 */
public record RetentionPolicy(int keepLast, int keepDays, int keepWeekly, int keepMonthly, int keepYearly) {
    /** Upper bound of every count: far beyond any real policy, small enough that date arithmetic cannot overflow. */
    public static final int MAX_COUNT = 1_000_000;

    public RetentionPolicy {
        check("keep-last", keepLast);
        check("keep-days", keepDays);
        check("keep-weekly", keepWeekly);
        check("keep-monthly", keepMonthly);
        check("keep-yearly", keepYearly);
        if (keepLast == 0 && keepDays == 0 && keepWeekly == 0 && keepMonthly == 0 && keepYearly == 0) {
            throw new IllegalArgumentException("a retention policy needs at least one rule");
        }
    }

    private static void check(final String name, final int n) {
        if (n < 0 || n > MAX_COUNT) {
            throw new IllegalArgumentException(name + " must be between 1 and " + MAX_COUNT + ", not " + n);
        }
    }

    /** The rules that are on, e.g. {@code "last 2, weekly 4"}. */
    public String describe() {
        final List<String> parts = new ArrayList<>();
        add(parts, "last", keepLast);
        add(parts, "days", keepDays);
        add(parts, "weekly", keepWeekly);
        add(parts, "monthly", keepMonthly);
        add(parts, "yearly", keepYearly);
        return String.join(", ", parts);
    }

    private static void add(final List<String> parts, final String name, final int n) {
        if (n > 0) {
            parts.add(name + " " + n);
        }
    }
}
