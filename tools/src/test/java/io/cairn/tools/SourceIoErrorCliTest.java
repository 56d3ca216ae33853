package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import io.cairn.tools.TestImages.Snapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertOneErrorLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * I/O errors on the source, end to end: an NBD source served by nbdkit's file plugin behind its error filter,
 * which fails every read with EIO while a trigger file exists. The backup fails with one line naming the NBD
 * server and the offset (exit 1), publishes no restore point, verify exits 0 (packs sealed before the failure
 * are reclaimable), the earlier point restores bit-exact, and once the trigger is gone the next backup succeeds.
 * The mid-run case pauses the backup right after its first pack is published
 * ({@code CAIRN_DEBUG_PAUSE_AT=after-pack-publish#1}), arms the trigger and lets it carry on
 * ({@code CAIRN_DEBUG_RESUME_FILE}), so the failure lands mid-run deterministically.
 */
class SourceIoErrorCliTest {
    private static final FaultSuiteReport REPORT = new FaultSuiteReport("source I/O errors (SourceIoErrorCliTest)",
            "fault", "backup", "error line", "points", "verify", "afterwards");

    @TempDir
    Path dir;
    private Path image;
    private Path trigger;
    private Path socket;
    private Path repo;
    private Process nbdkit;
    private String url;

    @BeforeEach
    void serveImageThroughErrorFilter() throws IOException, InterruptedException {
        assumeTrue(onPath("nbdkit"), "nbdkit is not installed (apt-get install nbdkit)");
        image = TestImages.mixed(dir.resolve("disk.img"), 8L * TestImages.MIB, 401);
        FaultFixture.overwriteBlocks(image, 40, 402); // some incompressible blocks: several 1 MiB packs
        trigger = dir.resolve("fail-reads-now");
        socket = dir.resolve("nbd.sock");
        nbdkit = new ProcessBuilder("nbdkit", "--foreground", "--exit-with-parent", "--unix", socket.toString(),
                "--filter=error", "file", "file=" + image, "error-pread=EIO", "error-pread-rate=100%",
                "error-pread-file=" + trigger).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nbdkit.log").toFile()).start();
        for (int i = 0; i < 400 && !Files.exists(socket) && nbdkit.isAlive(); i++) {
            Thread.sleep(25);
        }
        assumeTrue(Files.exists(socket), () -> "nbdkit did not start: " + log());
        url = "nbd+unix:///?socket=" + socket;
        repo = dir.resolve("repo");
        FaultFixture.initSmallPacks(repo);
    }

    @AfterEach
    void stopNbdkit() throws InterruptedException {
        if (nbdkit != null) {
            nbdkit.destroy();
            if (!nbdkit.waitFor(10, TimeUnit.SECONDS)) {
                nbdkit.destroyForcibly().waitFor();
            }
        }
    }

    @AfterAll
    static void writeTable() {
        REPORT.write();
    }

    @Test
    void shouldFailWithOneLineAndPublishNothingWhenEveryNbdReadFails() throws IOException {
        final String earlier = backupOk();
        final Snapshot before = TestImages.snapshot(image);
        FaultFixture.overwriteBlocks(image, 8, 403);
        Files.createFile(trigger);

        final Result failed = CairnProcess.exec("backup", "--repo", repo.toString(), "--disk", "n", url);

        final String line = assertOneErrorLine(failed, Cairn.FAILED, "NBD server", socket.toString(), "offset",
                "EIO");
        assertEquals("", failed.stdout());
        assertAfterFailure(earlier, before, "EIO on every read", line);
    }

    @Test
    void shouldFailWithOneLineAndKeepEarlierPointWhenNbdReadsFailMidRun() throws IOException {
        final String earlier = backupOk();
        final Snapshot before = TestImages.snapshot(image);
        FaultFixture.overwriteBlocks(image, 64, 404); // 4 MiB of new data: the failure comes after the 1st pack
        final Path resume = dir.resolve("resume");
        final Result failed;
        try (Running running = cairn().env("CAIRN_DEBUG_PAUSE_AT", "after-pack-publish#1")
                .env("CAIRN_DEBUG_RESUME_FILE", resume.toString())
                .start("backup", "--repo", repo.toString(), "--disk", "n", url)) {
            running.awaitStderrLine("cairn-debug-paused: ");
            Files.createFile(trigger);
            Files.createFile(resume);
            failed = running.await();
        }

        final List<String> stderr = failed.stderrLines();
        assertEquals(3, stderr.size(), failed::describe); // paused, resumed, the error
        final Result errorOnly = new Result(failed.args(), failed.exitCode(), failed.stdout(), stderr.get(2) + "\n");
        final String line = assertOneErrorLine(errorOnly, Cairn.FAILED, "NBD server", socket.toString(), "offset",
                "EIO");
        assertTrue(FaultFixture.packs(repo).size() > packsOfFirstBackup, "a pack was published before the failure");
        assertAfterFailure(earlier, before, "EIO from mid-run on (after 1st pack)", line);
    }

    private int packsOfFirstBackup;

    private String backupOk() throws IOException {
        final Result r = assertOk(CairnProcess.exec("backup", "--repo", repo.toString(), "--disk", "n", url));
        final String id = r.lastStdoutLine();
        packsOfFirstBackup = FaultFixture.packs(repo).size();
        return id;
    }

    /** No new point, verify 0, the earlier point bit-exact; without the fault the next backup works. */
    private void assertAfterFailure(final String earlier, final Snapshot before, final String fault,
                                    final String errorLine) throws IOException {
        assertEquals(List.of(earlier), CliChecks.listPoints(repo).stream().map(p -> p.get("id")).toList());
        final String verify = KillScenario.assertVerifyCleanWithReclaimableLeftovers(repo);
        CliChecks.assertRestores(repo, "n", earlier, before, dir.resolve("earlier.out"));

        Files.delete(trigger);
        final Snapshot now = TestImages.snapshot(image);
        final String next = backupOkAgain();
        CliChecks.assertRestores(repo, "n", next, now, dir.resolve("next.out"));
        CliChecks.assertVerifyClean(repo);
        REPORT.add(fault, "exit 1", errorLine, "no new point; earlier restores bit-exact", verify,
                "trigger removed: next backup exit 0, bit-exact");
    }

    private String backupOkAgain() {
        return assertOk(CairnProcess.exec("backup", "--repo", repo.toString(), "--disk", "n", url)).lastStdoutLine();
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("nbdkit.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static boolean onPath(final String tool) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(p, tool))) {
                return true;
            }
        }
        return false;
    }
}
