package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import io.cairn.tools.TestImages.Snapshot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.backup;
import static io.cairn.tools.CliChecks.files;
import static io.cairn.tools.CliChecks.init;
import static io.cairn.tools.CliChecks.listPoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a running {@code cairn backup}, at the engine's pause points and at moments chosen while a long
 * backup runs (FORMAT.md section 6): afterwards verify passes (leftovers are only reclaimable), every earlier restore
 * point restores bit-exact, and the next backup of the same disk succeeds (the dead writer's lock is gone).
 */
class BackupKillTest {
    /** Linux reports a process killed by SIGKILL as exit code 128 + 9. */
    private static final int KILLED = 128 + 9;
    private static final int BLOCK = 1024 * 1024;
    private static final String PAUSED = "cairn-debug-paused: ";

    @TempDir
    static Path shared;
    /** A repository holding one point of disk "base", copied by each test. */
    private static Path template;
    private static Path baseImage;
    private static String basePoint;
    private static Snapshot base;
    /** 256 MiB of random bytes: four 64 MiB packs, long enough to kill at chosen moments. */
    private static Path big;
    private static Snapshot bigSnap;

    @TempDir
    Path tmp;

    @BeforeAll
    static void prepare() throws IOException {
        template = shared.resolve("template");
        init(template);
        baseImage = TestImages.mixed(shared.resolve("base.img"), 8L * TestImages.MIB + 12_345, 21);
        base = TestImages.snapshot(baseImage);
        basePoint = backup(template, "base", baseImage);
        big = TestImages.incompressible(shared.resolve("big.img"), 256L * TestImages.MIB, 22);
        bigSnap = TestImages.snapshot(big);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"before-pack-seal", "before-pack-publish", "before-point-finish", "before-point-publish"})
    void shouldLeaveOnlyReclaimableLeftoversWhenIncrementalKilledAtPausePoint(final String pausePoint)
            throws IOException {
        final Path repo = tmp.resolve("repo");
        CliChecks.copyTree(template, repo);
        final Path image = Files.copy(baseImage, tmp.resolve("base.img"));
        TestImages.modifyBlocks(image, BLOCK, 2, 32);
        final Snapshot changed = TestImages.snapshot(image);

        killAtPausePoint(repo, "base", image, pausePoint);

        assertEquals(List.of(basePoint), ids(listPoints(repo)), "no restore point of the killed backup");
        assertVerifyCleanWithReclaimableLeftovers(repo);
        assertRestores(repo, "base", basePoint, base, tmp.resolve("first.out"));

        final Result again = assertOk(exec("backup", "--repo", repo.toString(), "--disk", "base", image.toString(),
                "--json"));
        final Map<String, Object> r = MiniJson.object(again.lastStdoutLine());
        assertEquals("incremental", r.get("type"));
        assertEquals(basePoint, r.get("parent"));
        assertRestores(repo, "base", (String) r.get("id"), changed, tmp.resolve("second.out"));
    }

    @Test
    void shouldBackUpFullWhenFirstBackupOfDiskWasKilledBeforePointPublish() throws IOException {
        final Path repo = tmp.resolve("repo");
        CliChecks.copyTree(template, repo);
        final Path image = TestImages.mixed(tmp.resolve("disk.img"), 8L * TestImages.MIB, 41);
        final Snapshot snap = TestImages.snapshot(image);

        killAtPausePoint(repo, "vm", image, "before-point-publish");

        assertEquals(List.of(basePoint), ids(listPoints(repo)));
        final Result v = assertVerifyCleanWithReclaimableLeftovers(repo);
        assertTrue(v.stdout().contains("pack referenced by no restore point"), v::describe);

        final Result again = assertOk(exec("backup", "--repo", repo.toString(), "--disk", "vm", image.toString(),
                "--json"));
        final Map<String, Object> r = MiniJson.object(again.lastStdoutLine());
        assertEquals("full", r.get("type"));
        assertRestores(repo, "vm", (String) r.get("id"), snap, tmp.resolve("out.img"));
        assertRestores(repo, "base", basePoint, base, tmp.resolve("base.out"));
        assertVerifyClean(repo);
    }

    /** Moments of a 256 MiB backup, chosen by watching the repository (only to pick the moment; never asserted). */
    enum Moment {
        /** The first pack is half written (unsynced data in tmp/). */
        FIRST_PACK_HALF_WRITTEN,
        /** Right after the first pack was renamed into packs/: between packs, no point yet. */
        FIRST_PACK_PUBLISHED,
        /** Two packs published, the third being written. */
        THIRD_PACK_BEING_WRITTEN;

        boolean reached(final Path repo, final int packsBefore) throws IOException {
            final int published = packCount(repo) - packsBefore;
            final long tmpPack = largestTmpPack(repo);
            return switch (this) {
                case FIRST_PACK_HALF_WRITTEN -> tmpPack >= 32L * TestImages.MIB;
                case FIRST_PACK_PUBLISHED -> published >= 1;
                case THIRD_PACK_BEING_WRITTEN -> published >= 2 && tmpPack >= 8L * TestImages.MIB;
            };
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Moment.class)
    void shouldKeepEarlierPointsAndAllowNextBackupWhenLongBackupKilledAtMoment(final Moment moment)
            throws IOException, InterruptedException {
        final Path repo = tmp.resolve("repo");
        CliChecks.copyTree(template, repo);
        final int packsBefore = packCount(repo);

        try (Running running = cairn().start("backup", "--repo", repo.toString(), "--disk", "big", big.toString())) {
            while (running.isAlive() && !moment.reached(repo, packsBefore)) {
                Thread.sleep(2);
            }
            running.kill9();
        }

        assertVerifyCleanWithReclaimableLeftovers(repo);
        final List<Map<String, Object>> points = listPoints(repo);
        assertTrue(ids(points).contains(basePoint));
        for (Map<String, Object> p : points) {
            // base is the earlier point; a "big" point exists only if the backup beat the kill
            final String disk = (String) p.get("disk");
            assertRestores(repo, disk, (String) p.get("id"), disk.equals("base") ? base : bigSnap,
                    tmp.resolve("check.out"));
        }

        final String next = backup(repo, "big", big);
        assertRestores(repo, "big", next, bigSnap, tmp.resolve("big.out"));
    }

    /** Starts a backup that pauses at the named point, waits until it says so, and kills it with SIGKILL. */
    private static void killAtPausePoint(final Path repo, final String disk, final Path image, final String point) {
        try (Running running = cairn().env("CAIRN_DEBUG_PAUSE_AT", point)
                .start("backup", "--repo", repo.toString(), "--disk", disk, image.toString())) {
            assertEquals(PAUSED + point, running.awaitStderrLine(PAUSED));
            final Result killed = running.kill9();
            assertEquals(KILLED, killed.exitCode(), () -> "the backup should die of SIGKILL\n" + killed.describe());
            assertEquals("", killed.stdout(), "a killed backup prints no id");
        }
    }

    /**
     * verify exits 0; every finding it prints is reclaimable space (not damage), and every leftover in tmp/ is among
     * them.
     */
    private static Result assertVerifyCleanWithReclaimableLeftovers(final Path repo) throws IOException {
        final Result v = assertVerifyClean(repo);
        for (String line : v.stdoutLines()) {
            assertTrue(line.startsWith("reclaimable ") || line.startsWith("intact restore point "),
                    () -> "unexpected finding after a kill\n" + v.describe());
        }
        final TreeSet<String> leftovers = files(repo.resolve("tmp"));
        for (String f : leftovers) {
            assertTrue(v.stdoutLines().stream().anyMatch(l -> l.contains(f) && l.contains("reclaimable")),
                    () -> "tmp/" + f + " should be reported as reclaimable\n" + v.describe());
        }
        if (v.stdoutLines().stream().anyMatch(l -> l.startsWith("reclaimable "))) {
            assertFalse(v.stderr().contains(" 0 B reclaimable"), () -> "summary should count leftovers\n"
                    + v.describe());
        }
        return v;
    }

    private static List<Object> ids(final List<Map<String, Object>> points) {
        return points.stream().map(p -> p.get("id")).toList();
    }

    private static int packCount(final Path repo) throws IOException {
        try (Stream<Path> s = Files.walk(repo.resolve("packs"))) {
            return (int) s.filter(p -> p.getFileName().toString().endsWith(".pack")).count();
        }
    }

    private static long largestTmpPack(final Path repo) throws IOException {
        long max = -1;
        try (Stream<Path> s = Files.list(repo.resolve("tmp"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().endsWith(".pack.tmp")) {
                    try {
                        max = Math.max(max, Files.size(p));
                    } catch (java.nio.file.NoSuchFileException e) {
                        // renamed or deleted meanwhile
                    }
                }
            }
        }
        return max;
    }
}
