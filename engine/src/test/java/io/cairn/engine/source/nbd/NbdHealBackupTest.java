package io.cairn.engine.source.nbd;

import io.cairn.engine.Backups;
import io.cairn.engine.Progress;
import io.cairn.engine.backup.BackupJob;
import io.cairn.engine.backup.BackupResult;
import io.cairn.engine.restore.RestoreJob;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.RepositoryLock;
import io.cairn.format.health.DamageLedger;
import io.cairn.format.verify.PointHealth;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Healing with a real QEMU dirty bitmap (FORMAT.md section 11): after verify records a damaged record, the next
 * incremental reads that block although the bitmap says nobody wrote it, and the old point becomes healed.
 */
class NbdHealBackupTest {
    private static final long MIB = 1024 * 1024;
    private static final long SIZE = 8 * MIB;
    private static final int BLOCK = 64 * 1024;

    @TempDir
    Path dir;
    private QemuStorageDaemon daemon;
    private QmpClient qmp;
    private Repository repo;

    @BeforeEach
    void start() throws Exception {
        QemuStorageDaemon.assumeInstalled();
        final Path image = dir.resolve("disk.qcow2");
        QemuStorageDaemon.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), String.valueOf(SIZE));
        daemon = QemuStorageDaemon.start(dir, image, "qcow2", true);
        qmp = QmpClient.connect(daemon.qmpSocket(), Duration.ofSeconds(30));
        repo = Repository.init(dir.resolve("repo"), RepositoryConfig.create(BLOCK, "zstd", 1));
        daemon.write("disk", 0x11, 0, 2 * MIB);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (qmp != null) {
                qmp.close();
            }
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    private BackupResult backup(final NbdBlockSource source) throws Exception {
        final List<String> warnings = new ArrayList<>();
        try (source) {
            final BackupResult r = new BackupJob(repo, "vm", Progress.NONE, warnings::add, 2).run(source);
            assertEquals(List.of(), warnings);
            return r;
        }
    }

    @Test
    void shouldRereadDamagedBlockWhenDirtyBitmapSaysNothingWasWritten() throws Exception {
        qmp.addBitmap(QemuStorageDaemon.NODE, "b0", true);
        final BackupResult full = backup(NbdBlockSource.open(daemon.address()));
        // every 64 KiB block of the first 2 MiB holds the same pattern: one record serves blocks 0-31
        Backups.flipStoredByte(repo, "vm", full.id(), 3);
        final VerifyReport found = new RepositoryVerifier(repo, null, s -> { }).run();
        assertEquals(List.of("0-31"), found.points().getFirst().damagedBlocks().asStrings());
        try (RepositoryLock ignored = repo.lockForWrite("test verify")) {
            assertEquals(1, DamageLedger.add(repo, found.newDamage()));
        }
        qmp.deleteExport("e");
        qmp.rotateBitmap(QemuStorageDaemon.NODE, "b0", "b1"); // no write since the full: b0 is empty
        qmp.addNbdExport("frozen", QemuStorageDaemon.NODE, "frozen", false, "b0");

        final BackupResult incr = backup(NbdBlockSource.open(daemon.address("frozen"), "b0",
                Duration.ofSeconds(30)));

        assertEquals("cbt:dirty-bitmap:b0", incr.changeDetection());
        assertEquals(32L * BLOCK, incr.bytesRead(), "the 32 blocks of the damaged id are read, nothing else");
        assertEquals(1, incr.blocksNew());
        final VerifyReport healed = new RepositoryVerifier(repo, null, s -> { }).run();
        assertTrue(healed.clean(), healed.findings().toString());
        assertEquals(List.of(full.id()), healed.pointsWith(PointHealth.Status.HEALED));
        assertEquals(List.of(incr.id()), healed.intactPoints());
        final Path expected = dir.resolve("expected.raw");
        QemuStorageDaemon.run("qemu-img", "convert", "-f", "raw", "-O", "raw", daemon.url("frozen"),
                expected.toString());
        for (String id : List.of(full.id(), incr.id())) {
            final Path restored = dir.resolve("restored-" + id + ".raw");
            new RestoreJob(repo, Progress.NONE, w -> { }).run(repo.findPoint("vm", id), restored, false);
            assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(restored), id);
        }
    }
}
