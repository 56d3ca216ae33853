package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertOneErrorLine;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.files;
import static io.cairn.tools.CliChecks.listPoints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wrong command lines, wrong paths, a newer repository, an existing restore target and a second writer: each fails
 * with its exit code and one "cairn..." line on stderr, changes nothing, and the earlier restore points still
 * restore bit-exact.
 */
class BadInputTest {
    @TempDir
    static Path shared;
    private static TwoDiskRepo template;

    @TempDir
    Path tmp;
    private TwoDiskRepo r;
    private TreeSet<String> before;

    @BeforeAll
    static void prepare() throws IOException {
        template = TwoDiskRepo.build(shared);
    }

    @BeforeEach
    void copy() throws IOException {
        r = template.copyTo(tmp);
        before = files(r.repo());
    }

    @Test
    void shouldFailNamingPathWhenSourceDoesNotExist() throws IOException {
        final Path missing = tmp.resolve("no-such-disk.img");

        final Result res = exec("backup", "--repo", repo(), "--disk", "new", missing.toString());

        assertOneErrorLine(res, Cairn.FAILED, missing.toString(), "does not exist");
        assertRepositoryUnchangedAndRestorable();
    }

    @Test
    void shouldFailWhenSourceIsDirectory() throws IOException {
        final Path dir = Files.createDirectory(tmp.resolve("a-directory"));

        final Result res = exec("backup", "--repo", repo(), "--disk", "a", dir.toString());

        assertOneErrorLine(res, Cairn.FAILED, dir.toString(), "directory");
        assertRepositoryUnchangedAndRestorable();
    }

    @Test
    void shouldFailWhenRepoIsDirectoryThatIsNotRepository() throws IOException {
        final Path notRepo = Files.createDirectory(tmp.resolve("documents"));
        Files.writeString(notRepo.resolve("notes.txt"), "not a repository\n");

        final Result res = exec("backup", "--repo", notRepo.toString(), "--disk", "a", r.imageA().toString());

        assertOneErrorLine(res, Cairn.FAILED, notRepo.toString(), "not a Cairn repository");
        assertEquals(new TreeSet<>(List.of("notes.txt")), files(notRepo), "nothing written into the directory");
        assertEquals(List.of(notRepo.resolve("notes.txt")), listDir(notRepo));
    }

    @Test
    void shouldFailWhenRepoDoesNotExist() {
        final Path nowhere = tmp.resolve("no-repo-here");

        final Result backup = exec("backup", "--repo", nowhere.toString(), "--disk", "a", r.imageA().toString());
        final Result list = exec("list", "--repo", nowhere.toString());

        assertOneErrorLine(backup, Cairn.FAILED, nowhere.toString(), "not a Cairn repository");
        assertOneErrorLine(list, Cairn.FAILED, nowhere.toString(), "not a Cairn repository");
        assertFalse(Files.exists(nowhere), "backup must not create the repository");
    }

    @Test
    void shouldRefuseRepositoryWhenConfigVersionIsNewer() throws IOException {
        final Path config = r.repo().resolve("config");
        final String text = Files.readString(config, StandardCharsets.UTF_8);
        assertTrue(text.contains("\nversion=1\n"), text);
        final String body = text.substring(0, text.indexOf("crc32c=")).replace("\nversion=1\n", "\nversion=2\n");
        final CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        Files.writeString(config, body + String.format("crc32c=%08x\n", crc.getValue()), StandardCharsets.UTF_8);
        final TreeSet<String> files = files(r.repo());

        final Result backup = exec("backup", "--repo", repo(), "--disk", "a", r.imageA().toString());
        final Result verify = exec("verify", "--repo", repo());

        assertOneErrorLine(backup, Cairn.FAILED, "newer", "version 2");
        assertOneErrorLine(verify, Cairn.FAILED, "newer");
        assertEquals(files, files(r.repo()), "a newer repository is not written to");
    }

    @Test
    void shouldExitUsageWhenOptionUnknown() throws IOException {
        final Result res = exec("backup", "--repo", repo(), "--disk", "a", "--compress-harder", r.imageA().toString());

        assertOneErrorLine(res, Cairn.USAGE, "unknown option --compress-harder");
        assertRepositoryUnchangedAndRestorable();
    }

    @Test
    void shouldExitUsageWhenThreadOrStripeCountsOutOfRange() throws IOException {
        for (String bad : new String[] {"0", "9", "many"}) {
            final Result res = exec("backup", "--repo", repo(), "--disk", "a", "--read-stripes", bad,
                r.imageA().toString());
            assertOneErrorLine(res, Cairn.USAGE, "--read-stripes takes a number from 1 to 8, got '" + bad + "'");
        }
        for (String[] bad : new String[][] {{"--workers", "0"}, {"--workers", "abc"}, {"--workers", "33"}}) {
            final Result res = exec("backup", "--repo", repo(), "--disk", "a", bad[0], bad[1], r.imageA().toString());
            assertOneErrorLine(res, Cairn.USAGE, bad[0] + " takes a number from 1 to 32, got '" + bad[1] + "'");
        }
        final Result threads = exec("restore", "--repo", repo(), "--disk", "a", "--to",
            tmp.resolve("never.img").toString(), "--threads", "-1");
        assertOneErrorLine(threads, Cairn.USAGE, "--threads takes a number from 1 to 32, got '-1'");
        assertFalse(Files.exists(tmp.resolve("never.img")));
        assertRepositoryUnchangedAndRestorable();
        assertOk(exec("backup", "--repo", repo(), "--disk", "a", "--read-stripes", "1", r.imageA().toString()));
    }

    @Test
    void shouldExitUsageWhenCommandUnknown() {
        final Result res = exec("bakcup", "--repo", repo());

        assertOneErrorLine(res, Cairn.USAGE, "unknown command 'bakcup'");
    }

    @Test
    void shouldExitUsageWhenDiskOptionMissing() throws IOException {
        final Result res = exec("backup", "--repo", repo(), r.imageA().toString());

        assertOneErrorLine(res, Cairn.USAGE, "missing --disk");
        assertRepositoryUnchangedAndRestorable();
    }

    @Test
    void shouldLeaveFileUntouchedWhenRestoreTargetExistsWithoutForce() throws IOException {
        final Path target = tmp.resolve("precious.img");
        Files.writeString(target, "do not overwrite me\n");
        final FileTime mtime = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(target, mtime);

        final Result res = exec("restore", "--repo", repo(), "--disk", "a", "--to", target.toString());

        assertOneErrorLine(res, Cairn.FAILED, target.toString(), "--force");
        assertArrayEquals("do not overwrite me\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));
        assertEquals(mtime, Files.getLastModifiedTime(target));
        assertFalse(Files.exists(tmp.resolve("precious.img.cairn-partial")));

        assertOk(exec("restore", "--repo", repo(), "--disk", "a", "--to", target.toString(), "--force"));
        TestImages.assertRestored(r.a(), target);
    }

    /**
     * Two writers at once (issue 5): while a backup holds the lock (paused before publishing its point), a second
     * backup and a retention run are refused with exit 3; the first then carries on (CAIRN_DEBUG_RESUME_FILE) and
     * completes, and every point, its new one included, restores bit-exact.
     */
    @Test
    void shouldRefuseSecondBackupWithLockedWhenFirstIsRunning() throws IOException {
        final Path changed = Files.copy(r.imageA(), tmp.resolve("a-changed.img"));
        TestImages.modifyBlocks(changed, 1024 * 1024, 3, 7);
        final TestImages.Snapshot changedSnap = TestImages.snapshot(changed);
        final Path resume = tmp.resolve("resume");

        final Result done;
        try (Running first = cairn().env("CAIRN_DEBUG_PAUSE_AT", "before-point-publish")
                .env("CAIRN_DEBUG_RESUME_FILE", resume.toString())
                .start("backup", "--repo", repo(), "--disk", "a", changed.toString())) {
            first.awaitStderrLine("cairn-debug-paused: before-point-publish");

            final Result second = exec("backup", "--repo", repo(), "--disk", "b", r.imageB().toString());
            assertOneErrorLine(second, Cairn.LOCKED, "locked", "pid=" + first.pid());
            final Result retention = exec("retention", "--repo", repo(), "--keep-last", "1");
            assertOneErrorLine(retention, Cairn.LOCKED, "locked", "pid=" + first.pid());

            // readers take no lock (FORMAT.md section 6): they work while the writer holds it
            assertEquals(List.of(r.pointA(), r.pointB()), ids(listPoints(r.repo())));
            assertRestores(r.repo(), "a", r.pointA(), r.a(), tmp.resolve("a-during.out"));
            assertVerifyClean(r.repo());

            Files.createFile(resume);
            done = first.await();
        }

        assertEquals(Cairn.OK, done.exitCode(), done::describe);
        final String newPoint = done.lastStdoutLine();
        assertEquals(List.of(r.pointA(), r.pointB(), newPoint), ids(listPoints(r.repo())));
        assertVerifyClean(r.repo());
        assertRestores(r.repo(), "a", r.pointA(), r.a(), tmp.resolve("a.out"));
        assertRestores(r.repo(), "a", newPoint, changedSnap, tmp.resolve("a-new.out"));
        assertRestores(r.repo(), "b", r.pointB(), r.b(), tmp.resolve("b.out"));
    }

    /** Nothing under the repository changed (the lock file aside), and the earlier point still restores bit-exact. */
    private void assertRepositoryUnchangedAndRestorable() throws IOException {
        final TreeSet<String> now = files(r.repo());
        now.remove("lock");
        final TreeSet<String> was = new TreeSet<>(before);
        was.remove("lock");
        assertEquals(was, now, "the failed command must not create or remove repository files");
        assertRestores(r.repo(), "a", r.pointA(), r.a(), tmp.resolve("a.out"));
    }

    private String repo() {
        return r.repo().toString();
    }

    private static List<Object> ids(final List<Map<String, Object>> points) {
        return points.stream().map(p -> p.get("id")).toList();
    }

    private static List<Path> listDir(final Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }
}
