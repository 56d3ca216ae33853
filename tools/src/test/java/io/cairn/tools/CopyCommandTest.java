package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.TestImages.Snapshot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cairn copy} (backup copy) end to end in child JVMs: the source repository holds two points of disk "a"
 * and one of disk "b"; copies must leave the source byte for byte as it was, make every copied point restorable
 * from the target, copy only what is new on a second run, and finish after a kill -9 at each pause point.
 */
class CopyCommandTest {
    private static final int BLOCK = 1024 * 1024;

    @TempDir
    static Path shared;
    private static Path template;
    private static Path imageA;
    /** Point ids of disk "a", oldest first. */
    private static final List<String> A = new ArrayList<>();
    private static final Map<String, Snapshot> EXPECTED = new HashMap<>();

    @TempDir
    Path tmp;
    private Path repo;
    private Path target;

    @BeforeAll
    static void threePoints() throws IOException {
        template = shared.resolve("template");
        init(template);
        backup(template, "b", TestImages.mixed(shared.resolve("b.img"), 3L * TestImages.MIB, 81));
        imageA = TestImages.mixed(shared.resolve("a.img"), 6L * TestImages.MIB + 777, 82);
        for (int v = 0; v < 2; v++) {
            if (v > 0) {
                TestImages.overwrite(imageA, 2L * BLOCK + 300, 900 + v);
            }
            final String id = backup(template, "a", imageA);
            A.add(id);
            EXPECTED.put(id, TestImages.snapshot(imageA));
        }
    }

    private void copyTemplate() throws IOException {
        repo = tmp.resolve("repo");
        CliChecks.copyTree(template, repo);
        target = tmp.resolve("target");
    }

    @Test
    void shouldCopyEveryPointAndLeaveSourceUnchangedWhenTargetIsNew() throws IOException {
        copyTemplate();
        final Map<String, byte[]> before = contents(repo);

        final Result r = assertOk(exec("copy", "--repo", repo.toString(), "--disk", "a", "--to-repo",
                target.toString(), "--json"));

        final Map<String, Object> o = MiniJson.object(r.stdout().trim());
        assertEquals(Boolean.TRUE, o.get("target_created"), r::describe);
        assertEquals(Boolean.TRUE, o.get("complete"), r::describe);
        assertEquals(new BigDecimal(2), o.get("points_copied"), r::describe);
        assertEquals(BigDecimal.ZERO, o.get("points_skipped"), r::describe);
        assertEquals(BigDecimal.ZERO, o.get("points_failed"), r::describe);
        assertTrue(((BigDecimal) o.get("blocks_copied")).intValue() >= 6, r::describe);
        final List<?> points = (List<?>) o.get("points");
        assertEquals(A, points.stream().map(p -> ((Map<?, ?>) p).get("id")).toList(), "oldest first, same ids");
        assertEquals(List.of("copied", "copied"), points.stream().map(p -> ((Map<?, ?>) p).get("status")).toList());
        assertSourceUnchanged(before);
        assertAllInTarget();
    }

    @Test
    void shouldCopyOnlyTheNewPointAndItsNewBlocksWhenRunAgainAfterABackup() throws IOException {
        copyTemplate();
        assertOk(exec("copy", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString()));
        final Path image = tmp.resolve("a3.img");
        Files.copy(imageA, image);
        TestImages.overwrite(image, 4L * BLOCK + 10, 77); // one block changes
        final String third = backup(repo, "a", image);

        final Result r = assertOk(exec("copy", "--repo", repo.toString(), "--disk", "a", "--to-repo",
                target.toString()));

        final List<String> lines = r.stdoutLines();
        assertEquals(3, lines.size(), r::describe);
        assertTrue(lines.get(0).startsWith("skipped") && lines.get(0).contains(A.get(0)), r::describe);
        assertTrue(lines.get(1).startsWith("skipped") && lines.get(1).contains(A.get(1)), r::describe);
        assertTrue(lines.get(2).startsWith("copied") && lines.get(2).contains(third)
                && lines.get(2).contains(" 1 blocks copied"), () -> "only the changed block is new\n" + r.describe());
        assertTrue(r.stderr().contains("1 restore point copied, 2 already there, 1 block copied"), r::describe);
        assertRestores(target, "a", third, TestImages.snapshot(image), tmp.resolve("out.img"));
        assertEquals(3, listPoints(target).size());
        assertEquals(4, listPoints(repo).size(), "the source keeps every point");
        assertVerifyClean(target, "--deep");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"copy-after-pack-publish", "copy-after-point-publish", "copy-after-point-publish#2"})
    void shouldFinishOnRerunWhenKilledAtPausePoint(final String pausePoint) throws IOException {
        copyTemplate();
        final Map<String, byte[]> before = contents(repo);
        CliChecks.killAtPause(pausePoint, "copy", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString());

        assertSourceUnchanged(before);
        assertVerifyClean(target);
        for (Map<String, Object> p : listPoints(target)) { // whatever got published is whole
            final String id = (String) p.get("id");
            assertRestores(target, "a", id, EXPECTED.get(id), tmp.resolve("early.img"));
        }

        assertOk(exec("copy", "--repo", repo.toString(), "--disk", "a", "--to-repo", target.toString()));
        assertSourceUnchanged(before);
        assertAllInTarget();
    }

    @Test
    void shouldRefuseBadTargetsAndLeaveEverythingAlone() throws IOException {
        copyTemplate();
        final Map<String, byte[]> before = contents(repo);

        assertOneErrorLine(exec("copy", "--repo", repo.toString(), "--disk", "a", "--to-repo", repo.toString()),
                Cairn.USAGE, "same repository");
        assertOneErrorLine(exec("copy", "--repo", repo.toString(), "--disk", "nope", "--to-repo", target.toString()),
                Cairn.FAILED, "nope");
        assertFalse(Files.exists(target), "no target is created for nothing");
        final Path other = tmp.resolve("other");
        init(other, "--block-size", "64K");
        assertOneErrorLine(exec("copy", "--repo", repo.toString(), "--disk", "a", "--to-repo", other.toString()),
                Cairn.FAILED, "block sizes");
        assertEquals(0, listPoints(other).size());

        assertSourceUnchanged(before);
    }

    private void assertAllInTarget() throws IOException {
        assertEquals(A, listPoints(target).stream().map(p -> (String) p.get("id")).toList());
        for (String id : A) {
            assertRestores(target, "a", id, EXPECTED.get(id), tmp.resolve("out.img"));
        }
        assertVerifyClean(target, "--deep");
        assertVerifyClean(repo);
    }

    /** Every file of packs/ and points/ with its bytes: what a copy must never change in the source. */
    private static Map<String, byte[]> contents(final Path repo) throws IOException {
        final Map<String, byte[]> m = new TreeMap<>();
        for (String dir : List.of("packs", "points")) {
            for (String f : files(repo.resolve(dir))) {
                m.put(dir + "/" + f, Files.readAllBytes(repo.resolve(dir).resolve(f)));
            }
        }
        return m;
    }

    private void assertSourceUnchanged(final Map<String, byte[]> before) throws IOException {
        final Map<String, byte[]> now = contents(repo);
        assertEquals(before.keySet(), now.keySet(), "the source's files");
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            assertTrue(java.util.Arrays.equals(e.getValue(), now.get(e.getKey())), "changed: " + e.getKey());
        }
    }
}
