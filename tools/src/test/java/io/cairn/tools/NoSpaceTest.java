package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.TestImages.Snapshot;
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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ENOSPC: the repository lives on a 48 MiB tmpfs (root only; skipped with the reason otherwise). A backup that
 * cannot fit fails with one line, leaves nothing behind, and the earlier restore point stays intact.
 */
class NoSpaceTest {
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
