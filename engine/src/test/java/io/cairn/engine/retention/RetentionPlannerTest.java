package io.cairn.engine.retention;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rules of {@link RetentionPlanner} on hand-picked dates: ISO weeks at year ends, UTC, day cutoffs, reasons. */
class RetentionPlannerTest {
    private static final Instant NOW = Instant.parse("2027-03-01T12:00:00Z");

    @Test
    void shouldPutYearEndDaysInIsoWeek53WhenYearHas53Weeks() {
        // 2026 starts on a Thursday, so it has 53 ISO weeks; 2027-01-01..03 (Fri-Sun) still belong to 2026-W53.
        assertEquals("2026-W53", GfsPeriod.WEEKLY.keyOf(Instant.parse("2026-12-28T00:00:00Z"))); // Monday
        assertEquals("2026-W53", GfsPeriod.WEEKLY.keyOf(Instant.parse("2026-12-31T23:59:59Z")));
        assertEquals("2026-W53", GfsPeriod.WEEKLY.keyOf(Instant.parse("2027-01-03T23:59:59.999Z"))); // Sunday
        assertEquals("2027-W01", GfsPeriod.WEEKLY.keyOf(Instant.parse("2027-01-04T00:00:00Z"))); // Monday
    }

    @Test
    void shouldPutLateDecemberDaysInNextYearsWeek1WhenThursdayIsInJanuary() {
        // 2025-01-01 is a Wednesday: the week of Monday 2024-12-30 is 2025-W01.
        assertEquals("2024-W52", GfsPeriod.WEEKLY.keyOf(Instant.parse("2024-12-29T23:59:59Z")));
        assertEquals("2025-W01", GfsPeriod.WEEKLY.keyOf(Instant.parse("2024-12-30T00:00:00Z")));
        assertEquals("2024", GfsPeriod.YEARLY.keyOf(Instant.parse("2024-12-30T00:00:00Z")));
        assertEquals("2024-12", GfsPeriod.MONTHLY.keyOf(Instant.parse("2024-12-31T23:59:59Z")));
    }

    @Test
    void shouldKeepOnePointPerWeekWhenWeekSpansNewYear() {
        final List<RetentionCandidate> points = List.of(
                point("a", "2026-12-21T10:00:00Z"),  // 2026-W52
                point("b", "2026-12-29T10:00:00Z"),  // 2026-W53
                point("c", "2027-01-02T10:00:00Z"),  // 2026-W53 (newest of that week)
                point("d", "2027-01-05T10:00:00Z")); // 2027-W01

        final Map<String, List<String>> r = reasons(RetentionPlanner.plan(points,
                new RetentionPolicy(0, 0, 3, 0, 0), NOW));

        assertEquals(List.of("weekly 2026-W52"), r.get("a"));
        assertEquals(List.of(RetentionDecision.NO_RULE), r.get("b"));
        assertEquals(List.of("weekly 2026-W53"), r.get("c"));
        assertEquals(List.of("newest", "weekly 2027-W01"), r.get("d"));
    }

    @Test
    void shouldGroupByUtcWhenPointsWereTakenInAnotherTimeZone() {
        // 00:30 on 1 December in UTC+01:00 is still 30 November in UTC: two different UTC months.
        final Instant novemberUtc = OffsetDateTime.parse("2026-12-01T00:30:00+01:00").toInstant();
        final Instant decemberUtc = OffsetDateTime.parse("2026-12-01T01:30:00+01:00").toInstant();
        final List<RetentionCandidate> points = List.of(new RetentionCandidate("nov", "vm1", novemberUtc),
                new RetentionCandidate("dec", "vm1", decemberUtc));

        final Map<String, List<String>> r = reasons(RetentionPlanner.plan(points,
                new RetentionPolicy(0, 0, 0, 2, 0), NOW));

        assertEquals(List.of("monthly 2026-11"), r.get("nov"));
        assertEquals(List.of("newest", "monthly 2026-12"), r.get("dec"));
    }

    @Test
    void shouldSkipMonthsWithoutPointsWhenCountingMonthly() {
        final List<RetentionCandidate> points = List.of(
                point("jan1", "2026-01-03T00:00:00Z"), point("jan2", "2026-01-20T00:00:00Z"),
                point("apr", "2026-04-10T00:00:00Z"),
                point("sep1", "2026-09-01T00:00:00Z"), point("sep2", "2026-09-30T23:59:59Z"));

        final RetentionPlan plan = RetentionPlanner.plan(points, new RetentionPolicy(0, 0, 0, 3, 0), NOW);

        final Map<String, List<String>> r = reasons(plan);
        assertEquals(List.of("monthly 2026-01"), r.get("jan2"));
        assertEquals(List.of("monthly 2026-04"), r.get("apr"));
        assertEquals(List.of("newest", "monthly 2026-09"), r.get("sep2"));
        assertEquals(List.of("jan1", "sep1"), plan.removed().stream().map(d -> d.point().id()).toList());
    }

    @Test
    void shouldKeepNewestOfEachYearWhenKeepYearlyIsGiven() {
        final List<RetentionCandidate> points = List.of(
                point("y24", "2024-12-31T23:59:59Z"), point("y25a", "2025-01-01T00:00:00Z"),
                point("y25b", "2025-12-31T23:59:59Z"), point("y26", "2026-06-01T00:00:00Z"));

        final Map<String, List<String>> r = reasons(RetentionPlanner.plan(points,
                new RetentionPolicy(0, 0, 0, 0, 2), NOW));

        assertEquals(List.of(RetentionDecision.NO_RULE), r.get("y24"));
        assertEquals(List.of(RetentionDecision.NO_RULE), r.get("y25a"));
        assertEquals(List.of("yearly 2025"), r.get("y25b"));
        assertEquals(List.of("newest", "yearly 2026"), r.get("y26"));
    }

    @Test
    void shouldKeepPointsStrictlyAfterCutoffWhenKeepDaysIsGiven() {
        final List<RetentionCandidate> points = List.of(
                new RetentionCandidate("at-cutoff", "vm1", NOW.minusSeconds(7 * 86_400)),
                new RetentionCandidate("just-after", "vm1", NOW.minusSeconds(7 * 86_400).plusMillis(1)),
                new RetentionCandidate("future", "vm1", NOW.plusSeconds(3600)));

        final Map<String, List<String>> r = reasons(RetentionPlanner.plan(points,
                new RetentionPolicy(0, 7, 0, 0, 0), NOW));

        assertEquals(List.of(RetentionDecision.NO_RULE), r.get("at-cutoff"));
        assertEquals(List.of("within 7 days"), r.get("just-after"));
        assertEquals(List.of("newest", "within 7 days"), r.get("future"));
    }

    @Test
    void shouldApplyRulesPerDiskWhenPointsOfSeveralDisksAreGiven() {
        final List<RetentionCandidate> points = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            points.add(new RetentionCandidate("vm1-" + i, "vm1", NOW.minusSeconds(1000 - i)));
            points.add(new RetentionCandidate("db-" + i, "db", NOW.minusSeconds(2000 - i)));
        }

        final RetentionPlan plan = RetentionPlanner.plan(points, new RetentionPolicy(2, 0, 0, 0, 0), NOW);

        final Map<String, List<String>> r = reasons(plan);
        assertEquals(List.of("newest", "last 1"), r.get("vm1-3"));
        assertEquals(List.of("last 2"), r.get("vm1-2"));
        assertEquals(List.of("newest", "last 1"), r.get("db-3"));
        assertEquals(List.of("db-0", "db-1", "vm1-0", "vm1-1"), plan.removed().stream()
                .map(d -> d.point().id()).toList()); // disks by name, oldest first within a disk
    }

    @Test
    void shouldBreakTiesById() {
        final Instant t = Instant.parse("2026-11-20T10:00:00Z");
        final RetentionPlan plan = RetentionPlanner.plan(List.of(new RetentionCandidate("b", "vm1", t),
                new RetentionCandidate("a", "vm1", t)), new RetentionPolicy(1, 0, 0, 0, 0), NOW);

        assertEquals("b", plan.kept().getFirst().point().id());
        assertEquals("a", plan.removed().getFirst().point().id());
    }

    @Test
    void shouldReturnEmptyPlanWhenThereAreNoPoints() {
        assertTrue(RetentionPlanner.plan(List.of(), new RetentionPolicy(1, 0, 0, 0, 0), NOW).decisions().isEmpty());
    }

    @Test
    void shouldRefusePolicyWhenNoRuleIsGivenOrCountIsNegative() {
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(-1, 0, 0, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(0, RetentionPolicy.MAX_COUNT + 1, 0,
                0, 0));
        assertEquals("last 2, weekly 4, yearly 1", new RetentionPolicy(2, 0, 4, 0, 1).describe());
    }

    private static RetentionCandidate point(final String id, final String created) {
        return new RetentionCandidate(id, "vm1", Instant.parse(created));
    }

    private static Map<String, List<String>> reasons(final RetentionPlan plan) {
        return plan.decisions().stream().collect(Collectors.toMap(d -> d.point().id(), RetentionDecision::reasons));
    }
}
