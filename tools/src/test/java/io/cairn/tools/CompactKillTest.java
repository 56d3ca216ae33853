package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.files;
import static io.cairn.tools.CompactFixture.json;
import static io.cairn.tools.CompactFixture.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a running {@code cairn compact} at each of its pause points (FORMAT.md section 10), and at later passes
 * of the recurring ones: afterwards verify exits 0 with nothing but reclaimable leftovers (duplicates of blocks in
 * new packs are not damage), every restore point restores bit-exact, and a second compact finishes the job, after
 * which verify reports nothing reclaimable.
 */
class CompactKillTest {
    private static final int KILLED = 128 + 9;
    private static final String PAUSED = "cairn-debug-paused: ";
    /** Moments after which every new pack is published: the second run must not copy anything again. */
    private static final Set<String> AFTER_PUBLISH = Set.of("compact-after-new-packs-published",
            "compact-after-first-delete", "compact-before-delete#2", "compact-before-delete#4");

    @TempDir
    static Path shared;
    private static CompactFixture fixture;

    @TempDir
    Path tmp;

    @BeforeAll
    static void prepare() throws IOException {
        fixture = new CompactFixture(shared);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"compact-before-pack-seal", "compact-before-pack-seal#2", "compact-before-pack-publish",
            "compact-before-pack-publish#3", "compact-after-new-packs-published", "compact-before-delete#2",
            "compact-after-first-delete", "compact-before-delete#4"})
    void shouldLeaveRestorableRepositoryThatASecondCompactFinishesWhenKilledAtPausePoint(final String pausePoint)
            throws IOException {
        final Path repo = fixture.copy(tmp);
        final long reclaimableBefore = number(json(assertOk(exec("compact", "--repo", repo.toString(), "--dry-run",
                "--json"))), "bytes_reclaimed");
        assertTrue(reclaimableBefore > 0, "the fixture has garbage to reclaim");

        try (Running running = cairn().env("CAIRN_DEBUG_PAUSE_AT", pausePoint)
                .start("compact", "--repo", repo.toString(), "--json")) {
            assertEquals(PAUSED + pausePoint, running.awaitStderrLine(PAUSED));
            final Result killed = running.kill9();
            assertEquals(KILLED, killed.exitCode(), () -> "compact should die of SIGKILL\n" + killed.describe());
            assertEquals("", killed.stdout(), "a killed compact prints no result");
        }

        assertVerifyCleanWithOnlyReclaimableFindings(repo);
        fixture.assertEveryPointRestores(repo, tmp);

        final Map<String, Object> second = json(assertOk(exec("compact", "--repo", repo.toString(), "--json")));
        if (AFTER_PUBLISH.contains(pausePoint)) {
            assertEquals(0, number(second, "blocks_copied"),
                    "the new packs already hold every live block; the old ones are only deleted: " + second);
        }
        final Result v = assertVerifyClean(repo);
        assertEquals(Set.of(), Set.copyOf(v.stdoutLines().stream().filter(l -> !l.startsWith("intact restore point "))
                .toList()), "nothing reclaimable after the second compact, every point intact");
        assertEquals(0, CompactFixture.reclaimableBytes(repo));
        assertEquals(new TreeSet<>(), files(repo.resolve("tmp")), "the second compact removed the tmp leftovers");
        assertEquals(0, number(json(assertOk(exec("compact", "--repo", repo.toString(), "--dry-run", "--json"))),
                "bytes_reclaimed"), "nothing left to reclaim");
        fixture.assertEveryPointRestores(repo, tmp);
    }

    /** verify exits 0 and every finding it prints is reclaimable space, not damage. */
    private static void assertVerifyCleanWithOnlyReclaimableFindings(final Path repo) {
        final Result v = assertVerifyClean(repo);
        for (String line : v.stdoutLines()) {
            assertTrue(line.startsWith("reclaimable ") || line.startsWith("intact restore point "),
                    () -> "unexpected finding after a kill\n" + v.describe());
        }
    }
}
