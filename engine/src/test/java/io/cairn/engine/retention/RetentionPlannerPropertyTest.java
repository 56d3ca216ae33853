package io.cairn.engine.retention;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-style tests of {@link RetentionPlanner} over many random point sets and policies (fixed seeds, so a
 * failure reproduces; the message names the case). Each case is checked against an oracle written differently
 * from the planner: per rule, the set of points it keeps is computed by grouping (periods sorted by key) instead of
 * the planner's newest-first walk. The planner must keep exactly the union of those sets plus the newest point of
 * each disk, and give every kept point the reason of every rule that keeps it.
 */
class RetentionPlannerPropertyTest {
    private static final int CASES = 1500;
    private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");
    private static final String[] DISKS = {"vm1", "vm2", "db"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void shouldKeepExactlyWhatSomeRuleKeepsWhenPointSetsAreRandom(final long seed) {
        final SplittableRandom rnd = new SplittableRandom(seed);
        int removedSomewhere = 0;
        for (int c = 0; c < CASES; c++) {
            final List<RetentionCandidate> points = randomPoints(rnd);
            final RetentionPolicy policy = randomPolicy(rnd);
            final Instant now = BASE.plus(Duration.ofDays(rnd.nextInt(5 * 366)));
            final String where = "seed " + seed + " case " + c + " policy " + policy + " now " + now;

            final RetentionPlan plan = RetentionPlanner.plan(points, policy, now);

            final Map<String, Set<String>> expected = oracle(points, policy, now);
            assertEquals(points.size(), plan.decisions().size(), where);
            final Set<String> seen = new HashSet<>();
            for (RetentionDecision d : plan.decisions()) {
                final String id = d.point().id();
                assertTrue(seen.add(id), () -> "point decided twice: " + id + " " + where);
                final Set<String> rules = expected.get(id);
                assertEquals(!rules.isEmpty(), d.keep(), () -> "keep/remove of " + d + " " + where);
                assertEquals(rules, ruleNames(d), () -> "reasons of " + d + " " + where);
                if (!d.keep()) {
                    assertEquals(List.of(RetentionDecision.NO_RULE), d.reasons(), where);
                }
            }
            for (String disk : DISKS) {
                points.stream().filter(p -> p.disk().equals(disk)).max(newestLast()).ifPresent(newest ->
                        assertTrue(plan.kept().stream().anyMatch(d -> d.point().equals(newest)),
                                () -> "newest point of " + disk + " removed " + where));
            }
            removedSomewhere += plan.removed().size();
        }
        assertTrue(removedSomewhere > CASES, "the random cases should remove points, not only keep them");
    }

    /** For each point id: the names of the rules that keep it ("newest", "last", "days", "weekly", ...). */
    private static Map<String, Set<String>> oracle(final List<RetentionCandidate> points, final RetentionPolicy policy,
                                                   final Instant now) {
        final Map<String, Set<String>> out = new HashMap<>();
        for (RetentionCandidate p : points) {
            out.put(p.id(), new HashSet<>());
        }
        final Map<String, List<RetentionCandidate>> byDisk = new HashMap<>();
        points.forEach(p -> byDisk.computeIfAbsent(p.disk(), d -> new ArrayList<>()).add(p));
        for (List<RetentionCandidate> disk : byDisk.values()) {
            final List<RetentionCandidate> oldestFirst = new ArrayList<>(disk);
            oldestFirst.sort(newestLast());
            out.get(oldestFirst.getLast().id()).add("newest");
            for (int i = 0; i < Math.min(policy.keepLast(), oldestFirst.size()); i++) {
                out.get(oldestFirst.get(oldestFirst.size() - 1 - i).id()).add("last");
            }
            if (policy.keepDays() > 0) {
                final Instant cutoff = now.minus(Duration.ofDays(policy.keepDays()));
                disk.stream().filter(p -> p.created().compareTo(cutoff) > 0)
                        .forEach(p -> out.get(p.id()).add("within"));
            }
            gfs(oldestFirst, GfsPeriod.WEEKLY, policy.keepWeekly(), out);
            gfs(oldestFirst, GfsPeriod.MONTHLY, policy.keepMonthly(), out);
            gfs(oldestFirst, GfsPeriod.YEARLY, policy.keepYearly(), out);
        }
        return out;
    }

    /** The newest point of each of the n latest periods that have points (keys sort chronologically). */
    private static void gfs(final List<RetentionCandidate> oldestFirst, final GfsPeriod period, final int n,
                            final Map<String, Set<String>> out) {
        final TreeMap<String, RetentionCandidate> newestOfPeriod = new TreeMap<>();
        for (RetentionCandidate p : oldestFirst) {
            newestOfPeriod.put(period.keyOf(p.created()), p); // later (newer) points overwrite
        }
        int left = n;
        for (RetentionCandidate p : newestOfPeriod.descendingMap().values()) {
            if (left-- <= 0) {
                break;
            }
            out.get(p.id()).add(period.ruleName());
        }
    }

    private static Set<String> ruleNames(final RetentionDecision d) {
        final Set<String> names = new HashSet<>();
        if (d.keep()) {
            for (String r : d.reasons()) {
                names.add(r.substring(0, r.indexOf(' ') < 0 ? r.length() : r.indexOf(' ')));
            }
        }
        return names;
    }

    private static Comparator<RetentionCandidate> newestLast() {
        return Comparator.comparing(RetentionCandidate::created).thenComparing(RetentionCandidate::id);
    }

    /**
     * 0-40 points over up to three disks, with time patterns that stress the rules: spread over years, bursts
     * within one day or week, equal times, and points right around year ends.
     */
    private static List<RetentionCandidate> randomPoints(final SplittableRandom rnd) {
        final int n = rnd.nextInt(41);
        final int disks = 1 + rnd.nextInt(DISKS.length);
        final long spanSeconds = switch (rnd.nextInt(4)) {
            case 0 -> 86_400L;             // one day
            case 1 -> 14 * 86_400L;        // two weeks
            case 2 -> 400 * 86_400L;       // about a year
            default -> 5 * 366 * 86_400L;  // five years
        };
        final List<RetentionCandidate> out = new ArrayList<>(n);
        Instant previous = BASE;
        for (int i = 0; i < n; i++) {
            final Instant t = switch (rnd.nextInt(6)) {
                case 0 -> previous;                                                         // same instant
                case 1 -> Instant.parse((2024 + rnd.nextInt(5)) + "-12-31T23:59:59Z")
                        .plusSeconds(rnd.nextInt(7 * 86_400) - 3 * 86_400);                 // around a year end
                default -> BASE.plusSeconds(rnd.nextLong(spanSeconds));
            };
            previous = t;
            out.add(new RetentionCandidate(String.format("id-%04d", i), DISKS[rnd.nextInt(disks)], t));
        }
        return out;
    }

    private static RetentionPolicy randomPolicy(final SplittableRandom rnd) {
        while (true) {
            final int[] k = new int[5];
            for (int i = 0; i < k.length; i++) {
                k[i] = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(6) : 0;
            }
            if (k[0] + k[1] + k[2] + k[3] + k[4] > 0) {
                return new RetentionPolicy(k[0], k[1] * 30, k[2], k[3], k[4]);
            }
        }
    }

    @ParameterizedTest(name = "keep-last {0}")
    @ValueSource(ints = {1, 2, 5})
    void shouldRemoveEveryOlderPointWhenOnlyKeepLastIsGiven(final int keepLast) {
        final List<RetentionCandidate> points = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            points.add(new RetentionCandidate("p" + i, "vm1", BASE.plusSeconds(i * 3600L)));
        }

        final RetentionPlan plan = RetentionPlanner.plan(points, new RetentionPolicy(keepLast, 0, 0, 0, 0), BASE);

        assertEquals(keepLast, plan.kept().size());
        assertEquals(10 - keepLast, plan.removed().size());
        assertFalse(plan.removed().stream().anyMatch(d -> d.point().id().equals("p9")), "newest removed");
    }
}
