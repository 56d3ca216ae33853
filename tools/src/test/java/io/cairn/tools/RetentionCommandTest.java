package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import io.cairn.tools.TestImages.Snapshot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertOneErrorLine;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.backup;
import static io.cairn.tools.CliChecks.files;
import static io.cairn.tools.CliChecks.init;
import static io.cairn.tools.CliChecks.listPoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cairn retention} end to end in child JVMs: six restore points of disk "vm" (the same two blocks change
 * before each backup, so the packs of removed incrementals end up referenced by no point) and two of disk "db".
 * Creation times cannot be faked through the CLI, so these tests use the time-independent --keep-last; the time
 * rules are tested in the engine's RetentionPlannerTest and RetentionPlannerPropertyTest.
 */
class RetentionCommandTest {

    @TempDir
    static Path shared;
    private static Path template;
    /** Point ids of disk "vm", oldest first, and what each must restore to. */
    private static final List<String> VM = new ArrayList<>();
    private static final List<String> DB = new ArrayList<>();
    private static final Map<String, Snapshot> EXPECTED = new HashMap<>();

    @TempDir
    Path tmp;
    private Path repo;

    @BeforeAll
    static void sixPoints() throws IOException {
        template = shared.resolve("template");
        init(template);
        final Path vm = TestImages.mixed(shared.resolve("vm.img"), 6L * TestImages.MIB + 4096, 51);
        for (int v = 0; v < 6; v++) {
            if (v > 0) {
                TestImages.overwrite(vm, 0, 1000 + v);
                TestImages.overwrite(vm, TestImages.MIB, 2000 + v);
            }
            final String id = backup(template, "vm", vm);
            VM.add(id);
            EXPECTED.put(id, TestImages.snapshot(vm));
        }
        final Path db = TestImages.mixed(shared.resolve("db.img"), 3L * TestImages.MIB, 52);
        for (int v = 0; v < 2; v++) {
            if (v > 0) {
                TestImages.overwrite(db, 0, 3000 + v);
            }
            final String id = backup(template, "db", db);
            DB.add(id);
            EXPECTED.put(id, TestImages.snapshot(db));
        }
    }

    private void copyTemplate() throws IOException {
        repo = tmp.resolve("repo");
        CliChecks.copyTree(template, repo);
    }

    @Test
    void shouldListWhatWouldGoAndDeleteNothingWhenDryRun() throws IOException {
        copyTemplate();
        final TreeSet<String> before = files(repo);

        final Result r = assertOk(exec("retention", "--repo", repo.toString(), "--disk", "vm", "--keep-last", "2",
                "--dry-run"));

        assertEquals(before, files(repo), "a dry run changes no file");
        final List<String> lines = r.stdoutLines();
        assertEquals(6, lines.size(), r::describe);
        for (int i = 0; i < 6; i++) {
            final String line = lines.get(i);
            assertTrue(line.startsWith(i < 4 ? "REMOVE" : "KEEP") && line.contains(VM.get(i)), r::describe);
        }
        assertTrue(lines.get(5).endsWith("newest, last 1"), r::describe);
        assertTrue(lines.get(4).endsWith("last 2"), r::describe);
        assertTrue(lines.get(0).endsWith("kept by no rule"), r::describe);
        assertTrue(r.stderr().contains("dry run: would keep 2 and remove 4"), r::describe);
        assertEquals(8, listPoints(repo).size());
    }

    @Test
    void shouldRemoveOlderPointsAndKeepTheRestRestorableWhenKeepLastIsTwo() throws IOException {
        copyTemplate();
        assertEquals(BigDecimal.ZERO, reclaimableBytes(repo), "the template has nothing to reclaim");

        final Result r = assertOk(exec("retention", "--repo", repo.toString(), "--disk", "vm", "--keep-last", "2"));

        assertEquals(4, r.stdoutLines().stream().filter(l -> l.startsWith("REMOVE")).count(), r::describe);
        assertTrue(r.stderr().contains("kept 2, removed 4 restore points of 1 disk"), r::describe);
        // list sorts by id, i.e. by time across disks: db's points were made after vm's
        assertEquals(List.of(VM.get(4), VM.get(5), DB.get(0), DB.get(1)), ids(listPoints(repo)),
                "last two of vm, db untouched");
        assertEveryListedPointRestores();
        assertVerifyClean(repo);
        assertTrue(reclaimableBytes(repo).signum() > 0, "packs only removed points referenced are reclaimable");
        assertEquals(List.of(), List.copyOf(files(repo.resolve("tmp"))), "no leftover of the deletions");
    }

    @Test
    void shouldApplyRulesToEveryDiskWhenNoDiskIsGiven() throws IOException {
        copyTemplate();

        assertOk(exec("retention", "--repo", repo.toString(), "--keep-last", "1"));

        assertEquals(List.of(VM.get(5), DB.get(1)), ids(listPoints(repo)));
        assertEveryListedPointRestores();
        assertVerifyClean(repo);
    }

    @Test
    void shouldPrintKeptAndRemovedArraysWhenJson() throws IOException {
        copyTemplate();

        final Result r = assertOk(exec("retention", "--repo", repo.toString(), "--disk", "vm", "--keep-last", "3",
                "--dry-run", "--json"));

        final Map<String, Object> o = MiniJson.object(r.stdout().trim());
        assertEquals(Boolean.TRUE, o.get("dry_run"));
        final List<?> kept = (List<?>) o.get("kept");
        final List<?> removed = (List<?>) o.get("removed");
        assertEquals(VM.subList(3, 6), kept.stream().map(k -> ((Map<?, ?>) k).get("id")).toList());
        assertEquals(VM.subList(0, 3), removed.stream().map(k -> ((Map<?, ?>) k).get("id")).toList());
        final Map<?, ?> newest = (Map<?, ?>) kept.getLast();
        assertEquals("vm", newest.get("disk"));
        assertTrue(((String) newest.get("time")).endsWith("Z"), r::describe);
        assertEquals(List.of("newest", "last 1"), newest.get("reasons"));
        assertEquals(List.of("kept by no rule"), ((Map<?, ?>) removed.getFirst()).get("reasons"));
        assertEquals(8, listPoints(repo).size());
    }

    @Test
    void shouldRefuseWithUsageErrorWhenNoRuleOrBadCountIsGiven() throws IOException {
        copyTemplate();
        final TreeSet<String> before = files(repo);

        assertOneErrorLine(exec("retention", "--repo", repo.toString()), Cairn.USAGE, "at least one rule");
        assertOneErrorLine(exec("retention", "--repo", repo.toString(), "--keep-last", "0"), Cairn.USAGE,
                "keep-last");
        assertOneErrorLine(exec("retention", "--repo", repo.toString(), "--keep-weekly", "many"), Cairn.USAGE,
                "keep-weekly", "whole number");
        assertOneErrorLine(exec("retention", "--repo", repo.toString(), "--keep-lst", "2"), Cairn.USAGE,
                "unknown option");
        assertOneErrorLine(exec("retention", "--repo", repo.toString(), "--disk", "nope", "--keep-last", "1"),
                Cairn.FAILED, "nope");

        assertEquals(before, files(repo));
    }

    @Test
    void shouldExitThreeAndDeleteNothingWhenBackupHoldsTheLock() throws IOException {
        copyTemplate();
        try (Running backup = cairn().env("CAIRN_DEBUG_PAUSE_AT", "before-point-publish")
                .start("backup", "--repo", repo.toString(), "--disk", "db", shared.resolve("db.img").toString())) {
            backup.awaitStderrLine(CliChecks.PAUSED);

            assertOneErrorLine(exec("retention", "--repo", repo.toString(), "--keep-last", "1"), Cairn.LOCKED,
                    "locked");

            backup.kill9();
        }
        assertEquals(8, listPoints(repo).size());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"retention-before-delete", "retention-after-first-delete"})
    void shouldLeaveVerifiableRestorableRepositoryWhenKilledDuringRetention(final String pausePoint)
            throws IOException {
        copyTemplate();
        CliChecks.killAtPause(pausePoint, "retention", "--repo", repo.toString(), "--disk", "vm", "--keep-last", "2");

        final List<String> left = ids(listPoints(repo));
        final List<String> expectedVm = pausePoint.equals("retention-before-delete") ? VM : VM.subList(1, 6);
        assertEquals(expectedVm, left.stream().filter(VM::contains).toList());
        assertVerifyClean(repo);
        assertEveryListedPointRestores();

        assertOk(exec("retention", "--repo", repo.toString(), "--disk", "vm", "--keep-last", "2"));
        assertEquals(VM.subList(4, 6), ids(listPoints(repo)).stream().filter(VM::contains).toList(),
                "a retention after the kill finishes the job (the dead process's lock is gone)");
        assertVerifyClean(repo);
    }

    private void assertEveryListedPointRestores() throws IOException {
        for (Map<String, Object> p : listPoints(repo)) {
            final String id = (String) p.get("id");
            assertRestores(repo, (String) p.get("disk"), id, EXPECTED.get(id), tmp.resolve("restore.img"));
        }
    }

    private static BigDecimal reclaimableBytes(final Path repo) {
        final Result v = assertOk(exec("verify", "--repo", repo.toString(), "--json"));
        return (BigDecimal) MiniJson.object(v.stdout().trim()).get("reclaimable_bytes");
    }

    private static List<String> ids(final List<Map<String, Object>> points) {
        return points.stream().map(p -> (String) p.get("id")).toList();
    }
}
