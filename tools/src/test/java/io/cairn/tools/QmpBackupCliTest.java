package io.cairn.tools;

import io.cairn.engine.source.qemu.QemuNames;
import io.cairn.format.Repository;
import io.cairn.format.point.Manifest;
import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.cairn.tools.CairnProcess.cairn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cairn backup --qmp SOCKET --node NODE [--nbd ADDRESS]} against a real qemu-storage-daemon on a qcow2 disk
 * that the test writes to through NBD (the "guest"): full, then incrementals that read only the blocks the bitmap
 * marks (bytes_read counted); every point restores bit-exact to the disk as of its backup; writes during a backup
 * land in the next point; a private NBD server when no --nbd is given; clean-up after failure and after kill -9;
 * hash comparison with a warning when the previous point's bitmap cannot be used; clear errors for a wrong node
 * or socket. After every run nothing of Cairn's is left in QEMU but its one recording bitmap.
 */
class QmpBackupCliTest {
    private static final long MIB = 1024 * 1024;
    private static final long KIB = 1024;
    private static final String PAUSED = "cairn-debug-paused: ";
    private static final int KILLED = 137;

    @TempDir
    Path dir;
    private QemuDaemon qsd;
    private Path repo;

    @BeforeEach
    void start() throws Exception {
        qsd = QemuDaemon.start(dir, 32 * MIB);
        qsd.write(0xaa, MIB, 3 * MIB); // blocks 1..3 allocated, the rest never written
        repo = dir.resolve("repo");
        assertEquals(0, CairnProcess.exec("init", "--repo", repo.toString()).exitCode());
    }

    @AfterEach
    void stop() {
        if (qsd != null) {
            qsd.close();
        }
    }

    private String[] backupArgs(final boolean guestServer) {
        final List<String> a = new ArrayList<>(List.of("backup", "--repo", repo.toString(), "--disk", "vm",
                "--qmp", qsd.qmpSocket().toString(), "--node", QemuDaemon.NODE, "--json"));
        if (guestServer) {
            a.add("--nbd");
            a.add(qsd.nbdSocket().toString());
        }
        return a.toArray(String[]::new);
    }

    private Map<String, Object> backup(final boolean guestServer) {
        final Result r = CairnProcess.exec(backupArgs(guestServer));
        assertEquals(0, r.exitCode(), r.describe());
        return MiniJson.object(r.lastStdoutLine());
    }

    private Manifest manifest(final Object id) throws Exception {
        return Repository.open(repo).findPoint("vm", String.valueOf(id)).manifest();
    }

    private void assertRestores(final Object id, final Path expected) throws Exception {
        final Path out = dir.resolve("restored-" + id + ".raw");
        final Result r = CairnProcess.exec("restore", "--repo", repo.toString(), "--disk", "vm", "--point",
                String.valueOf(id), "--to", out.toString());
        assertEquals(0, r.exitCode(), r.describe());
        TestImages.assertRestored(TestImages.snapshot(expected), out);
        Files.delete(out);
    }

    private static long num(final Map<String, Object> json, final String key) {
        return ((Number) json.get(key)).longValue();
    }

    @Test
    void shouldReadOnlyTheBlocksTheBitmapMarksAndRestoreEveryPointBitExact() throws Exception {
        final Map<String, Object> full = backup(true);
        assertEquals("full", full.get("type"));
        assertEquals("full-read", full.get("change_detection"));
        assertEquals(3 * MIB, num(full, "bytes_read"), "a full reads the allocated extents only");
        assertEquals(List.of(), full.get("warnings"));
        assertEquals("cairn-vm-1", manifest(full.get("id")).get("qemu_bitmap"));
        assertEquals(QemuDaemon.NODE, manifest(full.get("id")).get("qemu_node"));
        qsd.assertOnlyBitmapLeft("cairn-vm-1", true);
        final Path asOfFull = qsd.contents("full.raw");

        qsd.write(0xbb, 5 * MIB + 64 * KIB, 64 * KIB); // block 5
        qsd.write(0xcc, 20 * MIB, 128 * KIB); // block 20
        qsd.write(0xdd, 2 * MIB + 4 * KIB, 4 * KIB); // block 2
        final Map<String, Object> second = backup(true);
        assertEquals("incremental", second.get("type"));
        assertEquals("cbt:qemu-bitmap:cairn-vm-1", second.get("change_detection"));
        assertEquals(3 * MIB, num(second, "bytes_read"), "only the three changed 1 MiB blocks are read");
        assertEquals(3, num(second, "blocks_changed"));
        assertEquals("cairn-vm-2", manifest(second.get("id")).get("qemu_bitmap"));
        qsd.assertOnlyBitmapLeft("cairn-vm-2", true);
        final Path asOfSecond = qsd.contents("second.raw");

        qsd.write(0xee, 31 * MIB, 64 * KIB);
        final Map<String, Object> third = backup(true);
        assertEquals("cbt:qemu-bitmap:cairn-vm-2", third.get("change_detection"));
        assertEquals(MIB, num(third, "bytes_read"));
        qsd.assertOnlyBitmapLeft("cairn-vm-3", true);

        assertRestores(full.get("id"), asOfFull);
        assertRestores(second.get("id"), asOfSecond);
        assertRestores(third.get("id"), qsd.contents("third.raw"));
    }

    @Test
    void shouldKeepWritesMadeDuringTheBackupOutOfItsPointAndPutThemInTheNext() throws Exception {
        final Map<String, Object> full = backup(true);
        qsd.write(0xbb, 6 * MIB, 64 * KIB);
        final Path asOfSecond = qsd.contents("second.raw");
        final Path resume = dir.resolve("resume");
        final Map<String, Object> second;
        try (Running running = cairn().env("CAIRN_DEBUG_PAUSE_AT", "qmp-fleecing-ready")
                .env("CAIRN_DEBUG_RESUME_FILE", resume.toString()).start(backupArgs(true))) {
            assertEquals(PAUSED + "qmp-fleecing-ready", running.awaitStderrLine(PAUSED));
            qsd.write(0xcc, 6 * MIB, 32 * KIB); // overwrites half of the change the point must hold
            qsd.write(0xdd, 12 * MIB, 64 * KIB); // and a block the point must not hold
            Files.createFile(resume);
            final Result r = running.await();
            assertEquals(0, r.exitCode(), r.describe());
            second = MiniJson.object(r.lastStdoutLine());
        }
        assertEquals("cbt:qemu-bitmap:cairn-vm-1", second.get("change_detection"));
        assertEquals(MIB, num(second, "bytes_read"), "the frozen bitmap marks block 6 only");
        assertRestores(second.get("id"), asOfSecond);

        final Map<String, Object> third = backup(true);
        assertEquals("cbt:qemu-bitmap:cairn-vm-2", third.get("change_detection"));
        assertEquals(2 * MIB, num(third, "bytes_read"), "the writes made during the second backup, blocks 6 and 12");
        assertRestores(third.get("id"), qsd.contents("third.raw"));
        qsd.assertOnlyBitmapLeft("cairn-vm-3", true);
        assertFalse(full.get("id").equals(second.get("id")));
    }

    @Test
    void shouldStartAndStopAPrivateNbdServerWhenNoAddressIsGivenAlsoAfterKill9() throws Exception {
        final Path asOfFull = qsd.contents("full.raw");
        qsd.stopGuestServer();
        try (Running running = cairn().env("CAIRN_DEBUG_PAUSE_AT", "qmp-fleecing-ready").start(backupArgs(false))) {
            assertEquals(PAUSED + "qmp-fleecing-ready", running.awaitStderrLine(PAUSED));
            assertEquals(KILLED, running.kill9().exitCode());
        }
        final Map<String, Object> full = backup(false);
        assertEquals("full-read", full.get("change_detection"));
        assertTrue(String.valueOf(full.get("warnings")).contains("stopped the NBD server that an interrupted"),
                String.valueOf(full.get("warnings")));
        qsd.assertOnlyBitmapLeft("cairn-vm-2", false);

        qsd.startGuestServer();
        qsd.write(0xbb, 9 * MIB, 64 * KIB);
        final Path asOfSecond = qsd.contents("second.raw");
        qsd.stopGuestServer();
        final Map<String, Object> second = backup(false);
        assertEquals("cbt:qemu-bitmap:cairn-vm-2", second.get("change_detection"));
        assertEquals(MIB, num(second, "bytes_read"));
        qsd.assertOnlyBitmapLeft("cairn-vm-3", false);
        assertRestores(full.get("id"), asOfFull);
        assertRestores(second.get("id"), asOfSecond);
    }

    @Test
    void shouldCleanUpWhatAKilledBackupLeftAndStayACorrectIncremental() throws Exception {
        backup(true);
        qsd.write(0xbb, 4 * MIB, 64 * KIB); // before the killed backup's instant
        try (Running running = cairn().env("CAIRN_DEBUG_PAUSE_AT", "qmp-fleecing-ready").start(backupArgs(true))) {
            assertEquals(PAUSED + "qmp-fleecing-ready", running.awaitStderrLine(PAUSED));
            qsd.write(0xcc, 10 * MIB, 64 * KIB); // after it: only in the killed run's new bitmap
            assertEquals(KILLED, running.kill9().exitCode());
        }
        assertEquals(List.of("cairn-vm-1:off", "cairn-vm-2"), qsd.bitmaps().stream().sorted().toList());
        final QemuNames names = QemuNames.of("vm", qsd.qmpSocket(), QemuDaemon.NODE,
                Path.of(System.getProperty("java.io.tmpdir")));
        assertTrue(Files.exists(names.overlayFile()), "the killed run left its overlay");
        qsd.write(0xdd, 16 * MIB, 64 * KIB); // after the kill

        final Map<String, Object> next = backup(true);
        assertTrue(String.valueOf(next.get("warnings")).contains("cleaned up after an interrupted Cairn backup"),
                String.valueOf(next.get("warnings")));
        assertEquals("cbt:qemu-bitmap:cairn-vm-1", next.get("change_detection"));
        assertEquals(3 * MIB, num(next, "bytes_read"), "blocks 4, 10 and 16: nothing since the full is lost");
        assertRestores(next.get("id"), qsd.contents("next.raw"));
        qsd.assertOnlyBitmapLeft("cairn-vm-3", true);
        assertFalse(Files.exists(names.overlayFile()));
    }

    @Test
    void shouldMergeTheNewBitmapBackWhenTheBackupFails() throws Exception {
        backup(true);
        qsd.write(0xbb, 4 * MIB, 64 * KIB);
        // another backup holds the repository lock: ours sets up the fleecing, then fails to lock (exit 3)
        final Path other = TestImages.mixed(dir.resolve("other.raw"), 2 * MIB, 3);
        try (Running holder = cairn().env("CAIRN_DEBUG_PAUSE_AT", "before-point-publish")
                .start("backup", "--repo", repo.toString(), "--disk", "other", other.toString())) {
            assertEquals(PAUSED + "before-point-publish", holder.awaitStderrLine(PAUSED));
            final Result failed = CairnProcess.exec(backupArgs(true));
            assertEquals(Cairn.LOCKED, failed.exitCode(), failed.describe());
            qsd.assertOnlyBitmapLeft("cairn-vm-1", true);
            holder.kill9();
        }
        qsd.write(0xcc, 8 * MIB, 64 * KIB);
        final Map<String, Object> next = backup(true);
        assertEquals("cbt:qemu-bitmap:cairn-vm-1", next.get("change_detection"));
        assertEquals(2 * MIB, num(next, "bytes_read"), "blocks 4 and 8");
        assertRestores(next.get("id"), qsd.contents("next.raw"));
        qsd.assertOnlyBitmapLeft("cairn-vm-2", true);
    }

    @Test
    void shouldCompareHashesWithAWarningWhenThePreviousPointHasNoUsableBitmap() throws Exception {
        final Result plain = CairnProcess.exec("backup", "--repo", repo.toString(), "--disk", "vm", qsd.url());
        assertEquals(0, plain.exitCode(), plain.describe());
        qsd.write(0xbb, 7 * MIB, 64 * KIB);
        final Map<String, Object> first = backup(true);
        assertEquals("hash-compare", first.get("change_detection"));
        assertEquals(4 * MIB, num(first, "bytes_read"), "every allocated block");
        assertTrue(String.valueOf(first.get("warnings")).contains("names no QEMU dirty bitmap"),
                String.valueOf(first.get("warnings")));

        try (var q = qsd.qmp()) { // someone removes Cairn's bitmap
            q.removeBitmap(QemuDaemon.NODE, "cairn-vm-1");
        }
        qsd.write(0xcc, 8 * MIB, 64 * KIB);
        final Map<String, Object> second = backup(true);
        assertEquals("hash-compare", second.get("change_detection"));
        assertTrue(String.valueOf(second.get("warnings")).contains("'cairn-vm-1' of restore point "),
                String.valueOf(second.get("warnings")));
        assertTrue(String.valueOf(second.get("warnings")).contains("is missing on node 'fmt'"));
        assertRestores(second.get("id"), qsd.contents("second.raw"));
        qsd.assertOnlyBitmapLeft("cairn-vm-1", true);

        qsd.write(0xdd, 9 * MIB, 64 * KIB);
        final Map<String, Object> third = backup(true);
        assertEquals("cbt:qemu-bitmap:cairn-vm-1", third.get("change_detection"));
        assertEquals(MIB, num(third, "bytes_read"));
        assertEquals(List.of(), third.get("warnings"));
    }

    @Test
    void shouldFailWithAOneLineErrorWhenTheNodeOrTheSocketIsWrong() throws Exception {
        final Result node = CairnProcess.exec("backup", "--repo", repo.toString(), "--disk", "vm",
                "--qmp", qsd.qmpSocket().toString(), "--node", "nope");
        assertEquals(Cairn.FAILED, node.exitCode(), node.describe());
        assertEquals(1, node.stderrLines().size(), node.describe());
        assertTrue(node.stderr().contains("no block node named 'nope'"), node.describe());

        final Result missing = CairnProcess.exec("backup", "--repo", repo.toString(), "--disk", "vm",
                "--qmp", dir.resolve("missing.sock").toString(), "--node", QemuDaemon.NODE);
        assertEquals(Cairn.FAILED, missing.exitCode(), missing.describe());
        assertEquals(1, missing.stderrLines().size(), missing.describe());
        assertTrue(missing.stderr().contains("QMP socket does not exist"), missing.describe());

        final Result notASocket = CairnProcess.exec("backup", "--repo", repo.toString(), "--disk", "vm",
                "--qmp", dir.resolve("qsd.log").toString(), "--node", QemuDaemon.NODE);
        assertEquals(Cairn.FAILED, notASocket.exitCode(), notASocket.describe());
        assertEquals(1, notASocket.stderrLines().size(), notASocket.describe());

        final Result usage = CairnProcess.exec("backup", "--repo", repo.toString(), "--disk", "vm",
                "--qmp", qsd.qmpSocket().toString());
        assertEquals(Cairn.USAGE, usage.exitCode(), usage.describe());
        assertTrue(usage.stderr().contains("--qmp QMP_SOCKET and --node NODE go together"), usage.describe());

        assertEquals(List.of(), qsd.bitmaps(), "a failed run leaves no bitmap");
        assertTrue(Repository.open(repo).listPoints("vm", e -> { }).isEmpty());
    }
}
