package io.cairn.engine.source.nbd;

import io.cairn.engine.Progress;
import io.cairn.engine.backup.BackupJob;
import io.cairn.engine.backup.BackupResult;
import io.cairn.engine.restore.RestoreJob;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
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
 * Backups through a real qemu-storage-daemon: a full over NBD, writes through NBD, then an incremental that reads
 * only the extents of the QEMU dirty bitmap (rotated as platform-facts says), restored bit-exact against what
 * qemu-img reads from the same export; and hash comparison when no bitmap is given.
 */
class NbdChangeTrackingBackupTest {
    private static final long MIB = 1024 * 1024;
    private static final long KIB = 1024;
    private static final long SIZE = 32 * MIB;
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
        daemon.write("disk", 0x11, 0, 3 * MIB);
        daemon.write("disk", 0x22, 10 * MIB, 2 * MIB);
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

    private BackupResult backup(final NbdBlockSource source, final List<String> warnings) throws Exception {
        try (source) {
            return new BackupJob(repo, "vm", Progress.NONE, warnings::add, 2).run(source);
        }
    }

    private void assertRestoresTo(final String pointId, final String export) throws Exception {
        final Path expected = dir.resolve("expected-" + pointId + ".raw");
        QemuStorageDaemon.run("qemu-img", "convert", "-f", "raw", "-O", "raw", daemon.url(export),
                expected.toString());
        final Path restored = dir.resolve("restored-" + pointId + ".raw");
        new RestoreJob(repo, Progress.NONE, w -> { }).run(repo.findPoint("vm", pointId), restored, false);
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(restored));
    }

    @Test
    void shouldReadOnlyDirtyBlocksWhenIncrementalUsesTheDirtyBitmap() throws Exception {
        qmp.addBitmap(QemuStorageDaemon.NODE, "b0", true);
        final List<String> warnings = new ArrayList<>();
        final BackupResult full = backup(NbdBlockSource.open(daemon.address()), warnings);
        assertEquals("full-read", full.changeDetection());

        daemon.write("disk", 0x33, 1 * MIB + 4 * KIB, 8 * KIB);      // block 16
        daemon.write("disk", 0x44, 20 * MIB, 128 * KIB);             // blocks 320-321
        daemon.write("disk", 0x55, 31 * MIB + 60 * KIB, 8 * KIB);    // crosses blocks 496/497
        qmp.deleteExport("e");
        qmp.rotateBitmap(QemuStorageDaemon.NODE, "b0", "b1");
        qmp.addNbdExport("frozen", QemuStorageDaemon.NODE, "frozen", false, "b0");

        final BackupResult incr = backup(NbdBlockSource.open(daemon.address("frozen"), "b0",
                Duration.ofSeconds(30)), warnings);
        assertEquals(List.of(), warnings);
        assertEquals("cbt:dirty-bitmap:b0", incr.changeDetection());
        assertEquals("incremental", incr.type());
        assertEquals(5L * BLOCK, incr.bytesRead(), "only the 5 dirty 64 KiB blocks are read");
        assertEquals(5, incr.blocksChanged());
        assertRestoresTo(incr.id(), "frozen"); // no write since the rotation: the export holds the incremental's data
    }

    @Test
    void shouldReadEveryAllocatedBlockAndCompareHashesWhenNoBitmapIsGiven() throws Exception {
        final List<String> warnings = new ArrayList<>();
        final BackupResult full = backup(NbdBlockSource.open(daemon.address()), warnings);
        daemon.write("disk", 0x66, 5 * MIB, 64 * KIB);
        final BackupResult incr = backup(NbdBlockSource.open(daemon.address()), warnings);
        assertEquals("hash-compare", incr.changeDetection());
        assertEquals(5 * MIB + 64 * KIB, incr.bytesRead(), "every allocated cluster is read, holes are not");
        assertEquals(1, incr.blocksChanged());
        assertTrue(full.blocksNew() > 0);
        assertRestoresTo(incr.id(), "disk");
    }
}
