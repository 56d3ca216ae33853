package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.TestImages.Snapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOneErrorLine;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.backup;
import static io.cairn.tools.CliChecks.files;
import static io.cairn.tools.CliChecks.init;
import static io.cairn.tools.CliChecks.listPoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ENOSPC: the repository lives on a 48 MiB tmpfs (root only; skipped with the reason otherwise). A backup that
 * cannot fit fails with one line, leaves nothing behind but reclaimable packs, and the earlier restore point stays
 * intact; after space is freed, the next backup succeeds.
 */
class NoSpaceTest {
    private static final FaultSuiteReport REPORT = new FaultSuiteReport("ENOSPC (NoSpaceTest)", "fault", "backup",
            "error line", "after the failure", "after freeing space");
    @TempDir
    Path tmp;
    private Path small;
    private boolean mounted;

    @BeforeEach
    void mountSmallFileSystem() throws IOException, InterruptedException {
        final Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assumeTrue(Integer.valueOf(0).equals(uid), "mounting a tmpfs needs root (uid is " + uid + ")");
        small = Files.createDirectory(tmp.resolve("small-fs"));
        final String out = command("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", small.toString());
        assumeTrue(out == null, () -> "cannot mount a tmpfs here (no CAP_SYS_ADMIN in this container?): " + out);
        mounted = true;
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        if (mounted) {
            String out = command("umount", small.toString());
            if (out != null) {
                out = command("umount", "-l", small.toString());
            }
            assertEquals(null, out, "umount " + small);
        }
    }

    @Test
    void shouldFailWithOneLineAndKeepEarlierPointWhenRepositoryFileSystemIsFull() throws IOException {
        final Path repo = small.resolve("repo");
        final Path disk = TestImages.mixed(tmp.resolve("small.img"), 8L * TestImages.MIB, 51);
        final Snapshot first = TestImages.snapshot(disk);
        final Path huge = TestImages.incompressible(tmp.resolve("huge.img"), 128L * TestImages.MIB, 52);
        init(repo);
        final String firstPoint = backup(repo, "vm", disk);

        final Result full = exec("backup", "--repo", repo.toString(), "--disk", "huge", huge.toString());

        assertOneErrorLine(full, Cairn.FAILED, "no space");
        assertEquals("", full.stdout());
        assertEquals(List.of(), List.copyOf(files(repo.resolve("tmp"))), "the failed backup removes its tmp files");
        assertEquals(List.of(firstPoint), listPoints(repo).stream().map(p -> p.get("id")).toList());
        assertVerifyClean(repo);
        assertRestores(repo, "vm", firstPoint, first, tmp.resolve("first.out"));

        // the space is free again and the lock released: a backup that fits succeeds
        TestImages.modifyBlocks(disk, 1024 * 1024, 2, 53);
        final Snapshot second = TestImages.snapshot(disk);
        final String secondPoint = backup(repo, "vm", disk);
        assertRestores(repo, "vm", secondPoint, second, tmp.resolve("second.out"));
        REPORT.add("repository fs full (tmpfs 48 MiB, 128 MiB backup, 64 MiB packs)", "exit 1", "no space ...",
                "no new point, tmp/ empty, verify 0, earlier point bit-exact",
                "failed run's space released: next (smaller) backup exit 0, bit-exact");
    }

    /**
     * The repository (1 MiB packs) fills up in the middle of a backup: packs sealed before the failure stay as
     * reclaimable leftovers, the error is one line, the earlier point restores; once a filler file on the same file
     * system is deleted, the same backup succeeds and restores bit-exact.
     */
    @Test
    void shouldSucceedAfterFreeingSpaceWhenRepositoryFillsMidBackup() throws IOException {
        final Path repo = small.resolve("repo");
        FaultFixture.initSmallPacks(repo);
        final Path disk = TestImages.mixed(tmp.resolve("small.img"), 8L * TestImages.MIB, 54);
        final Snapshot first = TestImages.snapshot(disk);
        final String firstPoint = backup(repo, "vm", disk);
        final Path big = TestImages.incompressible(tmp.resolve("big.img"), 16L * TestImages.MIB, 55);
        final Snapshot bigSnap = TestImages.snapshot(big);
        final long free = Files.getFileStore(small).getUsableSpace();
        final Path filler = fill(small.resolve("filler"), free - 6L * TestImages.MIB); // room for ~5 packs only
        final int packsBefore = FaultFixture.packs(repo).size();

        final Result full = exec("backup", "--repo", repo.toString(), "--disk", "big", big.toString());

        final String line = assertOneErrorLine(full, Cairn.FAILED, "no space");
        assertEquals("", full.stdout());
        assertTrue(FaultFixture.packs(repo).size() > packsBefore, "packs were sealed before the disk filled up");
        assertEquals(List.of(firstPoint), listPoints(repo).stream().map(p -> p.get("id")).toList());
        final String verify = KillScenario.assertVerifyCleanWithReclaimableLeftovers(repo);
        assertRestores(repo, "vm", firstPoint, first, tmp.resolve("first.out"));

        Files.delete(filler);
        final String bigPoint = backup(repo, "big", big);
        assertRestores(repo, "big", bigPoint, bigSnap, tmp.resolve("big.out"));
        assertRestores(repo, "vm", firstPoint, first, tmp.resolve("first.out"));
        assertVerifyClean(repo);
        REPORT.add("repository fs full mid-backup (tmpfs 48 MiB, filler leaves 6 MiB, 16 MiB backup)", "exit 1",
                line.length() > 120 ? line.substring(0, 117) + "..." : line, verify + " (earlier point bit-exact)",
                "filler deleted: same backup exit 0, bit-exact; verify 0");
    }

    @AfterAll
    static void writeTable() {
        REPORT.write();
    }

    private static Path fill(final Path file, final long bytes) throws IOException {
        final byte[] buf = new byte[TestImages.MIB];
        java.util.Arrays.fill(buf, (byte) 0x42); // written bytes: tmpfs charges pages, not holes
        try (java.io.OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < bytes; done += buf.length) {
                out.write(buf, 0, (int) Math.min(buf.length, bytes - done));
            }
        }
        return file;
    }

    /** Runs a system command; returns null on success, else its exit code and output. */
    private static String command(final String... cmd) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", cmd) + " did not finish";
        }
        return p.exitValue() == 0 ? null : String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out;
    }
}
