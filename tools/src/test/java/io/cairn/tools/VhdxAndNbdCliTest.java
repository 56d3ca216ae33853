package io.cairn.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CLI wiring of the VHDX and NBD sources: a qemu-img-made VHDX is recognised by its signature and backed up
 * (allocated payload only), restored as raw and as VHDX (qemu-img check and compare accept it); --bitmap on a
 * file source is a usage error; a bitmap the NBD export does not carry falls back to hash comparison with a
 * warning instead of failing or leaving a gap.
 */
class VhdxAndNbdCliTest {
    @TempDir
    Path dir;

    private static boolean onPath(final String tool) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(p, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    @Test
    void shouldBackUpAVhdxAndRestoreItAsRawAndAsVhdxWhenQemuImgMadeIt() throws Exception {
        assumeTrue(onPath("qemu-img"), "qemu-img is not installed (apt-get install qemu-utils)");
        final Path raw = TestImages.mixed(dir.resolve("disk.raw"), 24L * TestImages.MIB, 5);
        final Path vhdx = dir.resolve("disk.vhdx");
        run("qemu-img", "convert", "-f", "raw", "-O", "vhdx", raw.toString(), vhdx.toString());
        final String repo = dir.resolve("repo").toString();
        assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
        final CairnProcess.Result backup = CairnProcess.exec("backup", "--repo", repo, "--disk", "v",
                vhdx.toString(), "--json");
        assertEquals(0, backup.exitCode(), backup.describe());
        assertTrue(backup.lastStdoutLine().contains("\"virtual_size\":" + 24L * TestImages.MIB), backup.describe());

        final Path restoredRaw = dir.resolve("restored.raw");
        final CairnProcess.Result r1 = CairnProcess.exec("restore", "--repo", repo, "--disk", "v", "--to",
                restoredRaw.toString());
        assertEquals(0, r1.exitCode(), r1.describe());
        TestImages.assertRestored(TestImages.snapshot(raw), restoredRaw);

        final Path restoredVhdx = dir.resolve("restored.vhdx");
        final CairnProcess.Result r2 = CairnProcess.exec("restore", "--repo", repo, "--disk", "v", "--to",
                restoredVhdx.toString());
        assertEquals(0, r2.exitCode(), r2.describe());
        run("qemu-img", "check", restoredVhdx.toString());
        assertTrue(run("qemu-img", "compare", raw.toString(), restoredVhdx.toString()).contains("identical"));
    }

    @Test
    void shouldRefuseBitmapWhenTheSourceIsAFile() throws Exception {
        final Path raw = TestImages.mixed(dir.resolve("disk.raw"), 2L * TestImages.MIB, 6);
        final String repo = dir.resolve("repo").toString();
        assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
        final CairnProcess.Result r = CairnProcess.exec("backup", "--repo", repo, "--disk", "v", raw.toString(),
                "--bitmap", "b0");
        assertEquals(Cairn.USAGE, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("--bitmap needs an NBD source"), r.describe());
    }

    @Test
    void shouldFallBackToHashComparisonWithAWarningWhenTheExportLacksTheBitmap() throws Exception {
        assumeTrue(onPath("qemu-nbd"), "qemu-nbd is not installed (apt-get install qemu-utils)");
        final Path raw = TestImages.mixed(dir.resolve("disk.raw"), 4L * TestImages.MIB, 7);
        final Path socket = dir.resolve("nbd.sock");
        final Process server = new ProcessBuilder("qemu-nbd", "-r", "-f", "raw", "-x", "disk", "-k",
                socket.toString(), "--persistent", raw.toString()).redirectErrorStream(true).start();
        try {
            for (int i = 0; i < 200 && !Files.exists(socket); i++) {
                Thread.sleep(50);
            }
            assumeTrue(Files.exists(socket), "qemu-nbd did not start");
            Thread.sleep(200);
            final String url = "nbd+unix:///disk?socket=" + socket;
            final String repo = dir.resolve("repo").toString();
            assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
            final CairnProcess.Result full = CairnProcess.exec("backup", "--repo", repo, "--disk", "n", url);
            assertEquals(0, full.exitCode(), full.describe());
            final CairnProcess.Result incr = CairnProcess.exec("backup", "--repo", repo, "--disk", "n", url,
                    "--bitmap", "nope", "--json");
            assertEquals(0, incr.exitCode(), incr.describe());
            assertTrue(incr.stderr().contains("dirty bitmap 'nope' is not usable"), incr.describe());
            assertTrue(incr.lastStdoutLine().contains("\"change_detection\":\"hash-compare\""), incr.describe());
            final Path restored = dir.resolve("restored.raw");
            final CairnProcess.Result r = CairnProcess.exec("restore", "--repo", repo, "--disk", "n", "--to",
                    restored.toString());
            assertEquals(0, r.exitCode(), r.describe());
            TestImages.assertRestored(TestImages.snapshot(raw), restored);
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
