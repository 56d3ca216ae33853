package io.cairn.tools;

import io.cairn.tools.KillScenario.Moments;
import io.cairn.tools.KillScenario.Operation;
import io.cairn.tools.KillScenario.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kill -9 matrix of issue 5's fault-injection suite for backup and retention: each {@link KillScenario} kills
 * a real {@code cairn} process at one moment (a pause point, the K-th pass of one, or a moment seen in the
 * repository) and then checks that verify exits 0 with only reclaimable leftovers, that every restore point
 * restores bit-exact, that the interrupted operation and the next backup succeed, and that verify stays clean.
 * The outcome of each scenario goes into target/fault-suite.txt.
 * <p>
 * Adding a kill point (compact, move, ...) is one line in {@link #scenarios()}.
 */
class FaultInjectionSuiteTest {
    /** Incremental of vm (parent: its third point): 72 new blocks, 5 packs of 1 MiB. */
    static final Operation INCREMENTAL = Operation.backup("backup vm (incremental)", "vm", "vm-next");
    /** First backup of a second disk: full, 6 packs. */
    static final Operation FULL_NEW_DISK = Operation.backup("backup fresh (full, 2nd disk)", "fresh", "fresh");
    /** Removes the two older points of vm (db keeps its only point). */
    static final Operation RETENTION = Operation.of("retention --keep-last 1",
            "retention --repo {repo} --keep-last 1").thinning("vm");

    private static final FaultSuiteReport REPORT = new FaultSuiteReport("kill -9 matrix (FaultInjectionSuiteTest)",
            "#", "operation", "kill moment", "process", "points after kill", "verify after kill", "restores",
            "then", "final verify");
    private static int row;

    @TempDir
    static Path shared;
    private static FaultFixture fixture;

    @TempDir
    Path tmp;

    static List<KillScenario> scenarios() {
        return List.of(
                KillScenario.pause("backup-after-lock", INCREMENTAL),
                KillScenario.pause("before-pack-seal#1", INCREMENTAL),
                KillScenario.pause("before-pack-seal#2", INCREMENTAL),
                KillScenario.pause("before-pack-seal#3", INCREMENTAL),
                KillScenario.pause("pack-before-fdatasync#1", INCREMENTAL),
                KillScenario.pause("pack-before-fdatasync#4", INCREMENTAL),
                KillScenario.pause("before-pack-publish#1", INCREMENTAL),
                KillScenario.pause("before-pack-publish#3", INCREMENTAL),
                KillScenario.pause("pack-after-rename#1", INCREMENTAL),
                KillScenario.pause("pack-after-rename#2", INCREMENTAL),
                KillScenario.pause("after-pack-publish#1", INCREMENTAL),
                KillScenario.pause("after-pack-publish#2", INCREMENTAL),
                KillScenario.pause("after-pack-publish#5", INCREMENTAL),
                KillScenario.pause("before-point-finish", INCREMENTAL),
                KillScenario.pause("point-before-fdatasync", INCREMENTAL),
                KillScenario.pause("before-point-publish", INCREMENTAL),
                KillScenario.pause("point-after-rename", INCREMENTAL),
                KillScenario.pause("after-point-publish", INCREMENTAL),
                KillScenario.pause("before-pack-seal#2", FULL_NEW_DISK),
                KillScenario.pause("after-pack-publish#3", FULL_NEW_DISK),
                KillScenario.pause("point-before-fdatasync", FULL_NEW_DISK),
                KillScenario.pause("point-after-rename", FULL_NEW_DISK),
                KillScenario.pause("retention-before-delete", RETENTION),
                KillScenario.pause("delete-after-rename#1", RETENTION),
                KillScenario.pause("delete-after-unlink#1", RETENTION),
                KillScenario.pause("retention-after-first-delete", RETENTION),
                KillScenario.pause("delete-after-rename#2", RETENTION),
                KillScenario.when("a pack is half written", Moments.tmpPackAtLeast(512 * 1024), INCREMENTAL),
                KillScenario.when("2 packs are published", Moments.packsPublished(2), FULL_NEW_DISK),
                KillScenario.when("a point is in tmp/ being deleted", Moments.inTmp(".point.deleted"), RETENTION),
                KillScenario.afterWriting(100, INCREMENTAL),
                KillScenario.afterWriting(300, FULL_NEW_DISK));
    }

    @BeforeAll
    static void prepare() throws IOException {
        fixture = FaultFixture.build(shared);
    }

    @AfterAll
    static void writeTable() {
        REPORT.write();
    }

    @Test
    void shouldHaveAtLeastTwentyDistinctKillMoments() {
        assertTrue(KillScenario.names(scenarios()).size() >= 20, "issue 5 asks for at least 20 kill points");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void shouldKeepEveryCommittedPointAndRecoverWhenKilled(final KillScenario scenario) throws Exception {
        final String n = Integer.toString(++row);
        try {
            final Outcome o = scenario.run(fixture, tmp);
            REPORT.add(n, scenario.operation().label(), scenario.trigger().describe(), o.process(),
                    o.pointsAfterKill(), o.verifyAfterKill(), o.restores(), o.thenRun(), o.finalVerify());
        } catch (AssertionError | Exception e) {
            REPORT.add(n, scenario.operation().label(), scenario.trigger().describe(), "FAILED",
                    String.valueOf(e.getMessage()).lines().findFirst().orElse(""), "", "", "", "");
            throw e;
        }
    }
}
