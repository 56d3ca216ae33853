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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cairn move} end to end in child JVMs (FORMAT.md section 13). The template repository holds one point of
 * disk "b" and then three of disk "a" (two blocks change between them), so that the packs the "a" backups wrote are
 * exactly what the source can reclaim once "a" has moved. Kills at each of the move's pause points must leave both
 * repositories verifiable and every point restorable from at least one of them, and a rerun must end in the same
 * state as an uninterrupted move.
 */
class MoveCommandTest {
    private static final int BLOCK = 1024 * 1024;

    @TempDir
    static Path shared;
    private static Path template;
    private static Path imageB;
    /** Point ids of disk "a", oldest first. */
    private static final List<String> A = new ArrayList<>();
    private static String pointB;
    private static final Map<String, Snapshot> EXPECTED = new HashMap<>();
    /** Packs written by the backups of disk "a" (relative to the repository), and their total length. */
    private static final TreeSet<String> PACKS_A = new TreeSet<>();
    private static long packsABytes;
    /** The pack of the first backup of disk "a": every point of "a" references records in it. */
    private static String firstPackA;

    @TempDir
    Path tmp;
    private Path repo;
    private Path target;

    @BeforeAll
    static void fourPoints() throws IOException {
        template = shared.resolve("template");
        init(template);
        imageB = TestImages.mixed(shared.resolve("b.img"), 4L * TestImages.MIB, 72);
        pointB = backup(template, "b", imageB);
        EXPECTED.put(pointB, TestImages.snapshot(imageB));
        final TreeSet<String> before = files(template.resolve("packs"));
        final Path a = TestImages.mixed(shared.resolve("a.img"), 8L * TestImages.MIB + 4_321, 71);
        for (int v = 0; v < 3; v++) {
            if (v > 0) { // blocks 5 and 7 change; the first blocks (and the first record of the first pack) stay
                TestImages.overwrite(a, 5L * BLOCK + 100, 500 + v);
                TestImages.overwrite(a, 7L * BLOCK + 200, 700 + v);
            }
            final String id = backup(template, "a", a);
            if (v == 0) {
                final TreeSet<String> first = files(template.resolve("packs"));
                first.removeAll(before);
                firstPackA = first.first();
            }
            A.add(id);
            EXPECTED.put(id, TestImages.snapshot(a));
        }
        PACKS_A.addAll(files(template.resolve("packs")));
        PACKS_A.removeAll(before);
        assertEquals(3, PACKS_A.size(), "each backup of disk a wrote one pack");
        for (String p : PACKS_A) {
            packsABytes += Files.size(template.resolve("packs").resolve(p));
        }
    }

    private void copyTemplate() throws IOException {
        repo = tmp.resolve("repo");
        CliChecks.copyTree(template, repo);
        target = tmp.resolve("target");
    }

    @Test
    void shouldMoveEveryPointOfDiskWithSameIdsWhenTargetDoesNotExist() throws IOException {
        copyTemplate();

        final Result r = assertOk(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo",
                target.toString(), "--json"));

        final Map<String, Object> o = MiniJson.object(r.stdout().trim());
        assertEquals("a", o.get("disk"));
        assertEquals(Boolean.TRUE, o.get("target_created"));
        assertEquals(new BigDecimal(3), o.get("points_moved"));
        assertEquals(BigDecimal.ZERO, o.get("points_skipped"));
        assertEquals(BigDecimal.ZERO, o.get("blocks_deduplicated"), "the new target had no blocks");
        assertTrue(((BigDecimal) o.get("blocks_copied")).intValue() >= 7, r::describe);
        assertTrue(((BigDecimal) o.get("bytes_copied")).longValue() > 0, r::describe);
        assertTrue(o.containsKey("duration_s"), r::describe);
        final List<?> points = (List<?>) o.get("points");
        assertEquals(A, points.stream().map(p -> ((Map<?, ?>) p).get("id")).toList(), "oldest first, same ids");
        for (Object p : points) {
            assertEquals("moved", ((Map<?, ?>) p).get("status"), r::describe);
            assertNull(((Map<?, ?>) p).get("message"), r::describe);
        }
        assertTrue(r.stderr().contains("created repository " + target), r::describe);
        assertFinalState();
    }

    @Test
    void shouldCopyOnlyMissingBlocksWhenTargetAlreadyHoldsSome() throws IOException {
        copyTemplate();
        init(target);
        backup(target, "other", shared.resolve("b.img")); // unrelated content
        final Path oldA = tmp.resolve("a-old.img");
        Files.copy(shared.resolve("a.img"), oldA);
        TestImages.overwrite(oldA, 5L * BLOCK + 100, 1); // the target knows every block of "a" but blocks 5 and 7
        TestImages.overwrite(oldA, 7L * BLOCK + 200, 2);
        backup(target, "a-old", oldA);

        final Result r = assertOk(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo",
                target.toString()));

        final List<String> lines = r.stdoutLines();
        assertEquals(3, lines.size(), r::describe);
        for (int i = 0; i < 3; i++) {
            assertTrue(lines.get(i).startsWith("moved") && lines.get(i).contains(A.get(i)), r::describe);
            assertTrue(lines.get(i).contains(" 2 blocks copied"), () -> "only blocks 5 and 7 are new\n"
                    + r.describe());
        }
        assertFalse(r.stderr().contains("created repository"), r::describe);
        assertTrue(r.stderr().contains("3 restore points moved"), r::describe);
        assertEquals(List.of(pointB), ids(listPoints(repo)));
        for (String id : A) {
            assertRestores(target, "a", id, EXPECTED.get(id), tmp.resolve("out.img"));
        }
        assertVerifyClean(target, "--deep");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"move-after-pack-publish", "move-after-pack-publish#2", "move-after-point-publish",
            "move-after-point-publish#3", "move-after-source-delete", "move-after-source-delete#2"})
    void shouldFinishOnRerunWhenKilledAtPausePoint(final String pausePoint) throws IOException {
        copyTemplate();
        CliChecks.killAtPause(pausePoint, "move", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString());

        assertVerifyClean(repo);
        assertVerifyClean(target);
        final List<String> inSource = ids(listPoints(repo));
        final List<String> inTarget = ids(listPoints(target));
        assertTrue(inSource.contains(pointB), "disk b is never touched");
        for (String id : A) {
            assertTrue(inSource.contains(id) || inTarget.contains(id), "point " + id + " is in neither repository");
            if (inSource.contains(id)) {
                assertRestores(repo, "a", id, EXPECTED.get(id), tmp.resolve("src.img"));
            }
            if (inTarget.contains(id)) {
                assertRestores(target, "a", id, EXPECTED.get(id), tmp.resolve("dst.img"));
            }
        }

        final Result again = assertOk(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo",
                target.toString(), "--json"));
        final Map<String, Object> o = MiniJson.object(again.stdout().trim());
        final long inBoth = A.stream().filter(id -> inSource.contains(id) && inTarget.contains(id)).count();
        assertEquals(new BigDecimal(inBoth), o.get("points_skipped"), again::describe);
        assertEquals(new BigDecimal(A.stream().filter(id -> inSource.contains(id) && !inTarget.contains(id))
                .count()), o.get("points_moved"), again::describe);
        assertFinalState();
    }

    @Test
    void shouldRefuseUnknownDiskAndLeaveEverythingAlone() throws IOException {
        copyTemplate();
        final TreeSet<String> before = files(repo);

        assertOneErrorLine(exec("move", "--repo", repo.toString(), "--disk", "nope", "--to-repo", target.toString()),
                Cairn.FAILED, "nope");

        assertEquals(before, files(repo));
        assertFalse(Files.exists(target), "no target is created for nothing");
    }

    @Test
    void shouldRefuseWithUsageErrorWhenTargetIsTheSourceOrOptionsAreMissing() throws IOException {
        copyTemplate();
        final TreeSet<String> before = files(repo);

        assertOneErrorLine(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo", repo.toString()),
                Cairn.USAGE, "same repository");
        assertOneErrorLine(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo", repo + "/."),
                Cairn.USAGE, "same repository");
        assertOneErrorLine(exec("move", "--repo", repo.toString(), "--disk", "a"), Cairn.USAGE, "--to-repo");
        assertOneErrorLine(exec("move", "--repo", repo.toString(), "--disk", "../a", "--to-repo", target.toString()),
                Cairn.USAGE, "disk name");

        assertEquals(before, files(repo));
        assertEquals(4, listPoints(repo).size());
    }

    @Test
    void shouldRefuseWhenBlockSizesDiffer() throws IOException {
        copyTemplate();
        init(target, "--block-size", "64K");
        final TreeSet<String> sourceBefore = files(repo);
        final TreeSet<String> targetBefore = files(target);

        assertOneErrorLine(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString()),
                Cairn.FAILED, "block size", "nothing was moved");

        assertEquals(sourceBefore, files(repo));
        assertEquals(targetBefore, files(target));
    }

    @Test
    void shouldRefuseWhenTargetIsNeitherRepositoryNorEmpty() throws IOException {
        copyTemplate();
        Files.createDirectories(target);
        Files.writeString(target.resolve("notes.txt"), "not a repository");

        assertOneErrorLine(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString()),
                Cairn.FAILED, "neither a Cairn repository nor an empty directory");
        assertEquals(4, listPoints(repo).size());
    }

    @ParameterizedTest(name = "{0} locked")
    @ValueSource(strings = {"target", "source"})
    void shouldExitThreeNamingTheLockedRepository(final String which) throws IOException {
        copyTemplate();
        init(target);
        final Path locked = which.equals("target") ? target : repo;
        final TreeSet<String> sourceBefore = files(repo);
        try (Running backup = cairn().env("CAIRN_DEBUG_PAUSE_AT", "before-point-publish")
                .start("backup", "--repo", locked.toString(), "--disk", "c", imageB.toString())) {
            backup.awaitStderrLine(CliChecks.PAUSED);

            assertOneErrorLine(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo",
                    target.toString()), Cairn.LOCKED, "locked", locked.toString());

            backup.kill9();
        }
        if (which.equals("target")) {
            assertEquals(sourceBefore, files(repo));
        }
        assertEquals(4, listPoints(repo).size());
        assertEquals(List.of(), listPoints(target));
    }

    @Test
    void shouldMoveNothingAndNameThePackWhenSourceRecordIsDamaged() throws IOException {
        copyTemplate();
        init(target);
        final Path firstPackOfA = repo.resolve("packs").resolve(firstPackA);
        flipByte(firstPackOfA, 64 + 40 + 10); // inside the stored bytes of the pack's first record
        final TreeSet<String> before = files(repo);

        final Result r = exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString());

        assertOneErrorLine(r, Cairn.FAILED, "incomplete", firstPackOfA.getFileName().toString(), "offset 64",
                "checksum");
        assertEquals(3, r.stdoutLines().stream().filter(l -> l.startsWith("failed")).count(), r::describe);
        assertEquals(before, files(repo), "nothing deleted from the source");
        assertEquals(4, listPoints(repo).size());
        assertEquals(List.of(), listPoints(target));
        assertVerifyClean(target);
    }

    @Test
    void shouldReportNotRemovedAndFinishOnRerunWhenSourceDeleteFails() throws IOException {
        copyTemplate();
        // deletePoint renames the point file to tmp/<id>.point.deleted: a non-empty directory there makes it fail
        final Path obstacle = repo.resolve("tmp").resolve(A.get(1) + ".point.deleted");
        Files.createDirectories(obstacle);
        Files.writeString(obstacle.resolve("x"), "x");

        final Result r = exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString());

        assertEquals(Cairn.FAILED, r.exitCode(), r::describe);
        final List<String> lines = r.stdoutLines();
        assertTrue(lines.get(0).startsWith("moved"), r::describe);
        assertTrue(lines.get(1).startsWith("not_removed") && lines.get(1).contains(A.get(1))
                && lines.get(1).contains("copied and verified, not removed from source"), r::describe);
        assertTrue(lines.get(2).startsWith("moved"), () -> "a failed delete does not stop the move\n"
                + r.describe());
        assertTrue(r.stderr().contains("1 in both repositories"), r::describe);
        assertEquals(List.of(pointB, A.get(1)), ids(listPoints(repo)), "b's point is older than a's");
        assertEquals(A, ids(listPoints(target)));

        Files.delete(obstacle.resolve("x"));
        Files.delete(obstacle);
        final Result again = assertOk(exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo",
                target.toString()));
        assertEquals(1, again.stdoutLines().size(), again::describe);
        assertTrue(again.stdoutLines().getFirst().startsWith("skipped"), again::describe);
        assertFinalState();
    }

    @Test
    void shouldRefuseConflictingPointFileInTargetAndMoveTheOthers() throws IOException {
        copyTemplate();
        init(target);
        final Path conflicting = target.resolve("points/a/" + A.getFirst() + ".point");
        Files.createDirectories(conflicting.getParent());
        Files.write(conflicting, new byte[]{1, 2, 3});

        final Result r = exec("move", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString());

        assertEquals(Cairn.FAILED, r.exitCode(), r::describe);
        assertTrue(r.stdoutLines().getFirst().startsWith("failed") && r.stdout().contains("different content"),
                r::describe);
        assertEquals(List.of(pointB, A.get(0)), ids(listPoints(repo)), "the conflicting point stays in the source");
        assertEquals(3, Files.size(conflicting), "the target's file is not touched");
        for (String id : A.subList(1, 3)) {
            assertRestores(target, "a", id, EXPECTED.get(id), tmp.resolve("out.img"));
        }
    }

    /** What an uninterrupted move leaves: "a" only in the target, "b" only in the source, nothing else. */
    private void assertFinalState() throws IOException {
        assertEquals(List.of(pointB), ids(listPoints(repo)), "the source lists only disk b");
        assertEquals(A, ids(listPoints(target)), "the target has every point of a, same ids");
        for (String id : A) {
            assertRestores(target, "a", id, EXPECTED.get(id), tmp.resolve("out.img"));
        }
        assertRestores(repo, "b", pointB, EXPECTED.get(pointB), tmp.resolve("b.out"));
        assertEquals(new BigDecimal(packsABytes), cleanReclaimableBytes(repo),
                "exactly the packs of disk a are garbage");
        assertEquals(BigDecimal.ZERO, cleanReclaimableBytes(target, "--deep"),
                "the target holds no garbage and no leftover");
        for (String p : PACKS_A) {
            assertTrue(Files.exists(repo.resolve("packs").resolve(p)), "move leaves garbage to compact: " + p);
        }
    }

    /** verify --json must pass (exit 0, clean); returns its reclaimable bytes. */
    private static BigDecimal cleanReclaimableBytes(final Path repo, final String... extra) {
        final List<String> args = new ArrayList<>(List.of("verify", "--repo", repo.toString(), "--json"));
        args.addAll(List.of(extra));
        final Result v = assertOk(exec(args.toArray(String[]::new)));
        final Map<String, Object> o = MiniJson.object(v.stdout().trim());
        assertEquals(Boolean.TRUE, o.get("clean"), v::describe);
        return (BigDecimal) o.get("reclaimable_bytes");
    }

    private static List<String> ids(final List<Map<String, Object>> points) {
        return points.stream().map(p -> (String) p.get("id")).toList();
    }

    private static void flipByte(final Path file, final long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.flip();
            b.put(0, (byte) (b.get(0) ^ 0x5A));
            ch.write(b, offset);
        }
    }
}
