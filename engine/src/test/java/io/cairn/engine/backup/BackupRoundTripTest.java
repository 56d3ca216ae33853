package io.cairn.engine.backup;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.engine.TestSystem;
import io.cairn.engine.restore.RestoreResult;
import io.cairn.format.Repository;
import io.cairn.format.point.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Full backups through BackupJob and bit-exact restores through RestoreJob, over real files. */
class BackupRoundTripTest {
    private static final int K64 = 64 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {K64, 1024 * 1024, 8 * 1024 * 1024})
    void shouldRestoreBitExactWhenDiskSizeIsNotAMultipleOfTheBlockSize(final int blockSize) throws Exception {
        final long size = 3L * blockSize + 12_345; // and not a multiple of 4096 either
        final DiskImage disk = new DiskImage(size, blockSize).unique(0, 1).random(2, 2).unique(3, 3);
        final Path image = disk.writeDense(dir.resolve("disk.img")); // block 1: real zeros, read and detected
        final Repository repo = Backups.init(dir.resolve("repo"), blockSize, "zstd");

        final BackupResult r = Backups.backup(repo, "vm1", image);

        assertEquals("full", r.type());
        assertNull(r.parent());
        assertEquals(size, r.virtualSize());
        assertEquals(4, r.blocksTotal());
        assertEquals(1, r.blocksZero());
        assertEquals(3, r.blocksChanged());
        assertEquals(3, r.blocksNew());
        assertEquals(size, r.bytesRead());
        assertEquals(2L * blockSize + 12_345, r.bytesNewRaw());
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldRestoreEmptyFileWhenDiskIsEmpty() throws Exception {
        final Path image = Files.createFile(dir.resolve("empty.img"));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");

        final BackupResult r = Backups.backup(repo, "empty", image);

        assertEquals(0, r.virtualSize());
        assertEquals(0, r.blocksTotal());
        assertEquals(0, r.blocksNew());
        assertEquals(0, r.bytesRead());
        assertEquals(0, r.bytesStored());
        assertEquals(0, repo.packFiles().size(), "no empty pack is published");
        final Path target = dir.resolve("restored.img");
        final RestoreResult restored = Backups.restore(repo, "empty", r.id(), target);
        assertEquals(0, restored.bytesWritten());
        assertEquals(0, Files.size(target));
    }

    @ParameterizedTest(name = "{0} worker(s)")
    @ValueSource(ints = {1, 3})
    void shouldKeepBlockOrderWhenWorkerCountDiffersFromCores(final int workers) throws Exception {
        final DiskImage disk = mixed(97, K64); // a prime, so messages do not divide evenly among workers
        final Path image = disk.writeSparse(dir.resolve("disk.img"));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");

        final BackupResult r = Backups.backup(repo, "vm1", image, workers);

        assertEquals(workers, r.workers());
        assertEquals(97, r.blocksTotal());
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldSkipHolesUnreadAndRestoreSparseWhenDiskIsSparse() throws Exception {
        final DiskImage disk = mixed(64, K64);
        final Path image = disk.writeSparse(dir.resolve("sparse.img"));
        assumeTrue(TestSystem.allocatedBytes(image) < disk.size(), "the file system did not keep the holes");
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        long dataBlocks = 0;
        for (long b = 0; b < 64; b++) {
            if (!isZeroBlock(disk, b)) {
                dataBlocks++;
            }
        }

        final BackupResult r = Backups.backup(repo, "vm1", image);

        assertTrue(r.bytesRead() < disk.size(), "holes must not be read: " + r.bytesRead());
        assertEquals(dataBlocks * K64, r.bytesRead(), "exactly the blocks holding data are read");
        assertEquals(64 - dataBlocks, r.blocksZero());
        final Path target = assertRestoresTo(repo, "vm1", r.id(), disk);
        for (long b = 0; b < 64; b++) {
            assertEquals(isZeroBlock(disk, b), TestSystem.isHole(target, b * K64, K64),
                    "block " + b + " must be a hole in the restored file exactly when it is zero");
        }
        assertTrue(TestSystem.allocatedBytes(target) <= dataBlocks * K64 + 4096,
                "restored file allocates only its data blocks");
    }

    @Test
    void shouldRestoreZeroBlocksAsHolesWhenSourceWroteRealZeros() throws Exception {
        final DiskImage disk = mixed(16, K64);
        final Path image = disk.writeDense(dir.resolve("dense.img"));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");

        final BackupResult r = Backups.backup(repo, "vm1", image);

        assertEquals(disk.size(), r.bytesRead(), "a dense file is read whole");
        final Path target = assertRestoresTo(repo, "vm1", r.id(), disk);
        long zeroBlocks = 0;
        for (long b = 0; b < 16; b++) {
            if (isZeroBlock(disk, b)) {
                zeroBlocks++;
                assertTrue(TestSystem.isHole(target, b * K64, K64), "zero block " + b + " is not written");
            }
        }
        assertEquals(zeroBlocks, r.blocksZero());
        assertTrue(zeroBlocks > 0);
    }

    @Test
    void shouldStoreBlocksRawWhenCompressionIsNone() throws Exception {
        final DiskImage disk = mixed(24, K64);
        final Path image = disk.writeDense(dir.resolve("disk.img"));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "none");

        final BackupResult r = Backups.backup(repo, "vm1", image);

        assertTrue(r.blocksNew() > 0);
        assertEquals(r.blocksNew() * K64, r.bytesNewRaw());
        assertEquals(r.bytesNewRaw() + r.blocksNew() * 40, r.bytesStored(), "raw records: 40-byte header + block");
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldStoreFewerBytesThanRawWhenCompressionIsZstd() throws Exception {
        final DiskImage disk = new DiskImage(24L * K64, K64);
        for (long b = 0; b < 24; b++) {
            disk.unique(b, 100 + b);
        }
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");

        final BackupResult r = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));

        assertEquals(24, r.blocksNew());
        assertTrue(r.bytesStored() < r.bytesNewRaw() * 3 / 4, r.bytesStored() + " of " + r.bytesNewRaw());
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldWriteManifestMatchingTheResultWhenBackupCompletes() throws Exception {
        final DiskImage disk = mixed(10, K64);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");

        final BackupResult r = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));

        final Manifest m = Backups.point(repo, "vm1", r.id()).manifest();
        assertEquals(r.id(), m.get(Manifest.ID));
        assertEquals("vm1", m.get(Manifest.DISK));
        assertEquals("full", m.get(Manifest.TYPE));
        assertEquals(r.blocksNew(), m.getLong(Manifest.BLOCKS_NEW, -1));
        assertEquals(r.blocksZero(), m.getLong(Manifest.BLOCKS_ZERO, -1));
        assertEquals(r.bytesStored(), m.getLong(Manifest.BYTES_STORED, -1));
        assertEquals(disk.size(), m.getLong(Manifest.VIRTUAL_SIZE, -1));
        assertEquals(repo.config().repositoryId(), m.get(Manifest.REPOSITORY_ID));
        assertFalse(Files.list(repo.tmpDir()).findAny().isPresent(), "nothing left in tmp/");
    }

    /**
     * A disk of {@code blocks} blocks with every kind of block: compressible and incompressible data, zero runs,
     * a uniform non-zero block and blocks only partly data (a 4 KiB chunk inside zeros).
     */
    static DiskImage mixed(final int blocks, final int blockSize) {
        final DiskImage d = new DiskImage((long) blocks * blockSize, blockSize);
        for (int b = 0; b < blocks; b++) {
            switch (b % 7) {
                case 0, 3 -> d.unique(b, 1000 + b);
                case 1 -> d.random(b, 2000 + b);
                case 5 -> {
                    d.bytes()[b * blockSize + 3 * DiskImage.CHUNK + 7] = (byte) (b | 1);
                }
                case 6 -> d.fill(b, (byte) (0x10 + b));
                default -> { } // 2, 4: zero
            }
        }
        return d;
    }

    static boolean isZeroBlock(final DiskImage disk, final long block) {
        final int start = (int) (block * disk.blockSize());
        final int end = (int) Math.min(disk.size(), start + (long) disk.blockSize());
        for (int i = start; i < end; i++) {
            if (disk.bytes()[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Restores a point to a fresh file and checks it byte for byte against the image; returns the file. */
    static Path assertRestoresTo(final Repository repo, final String disk, final String pointId,
                                 final DiskImage expected) throws Exception {
        final Path target = repo.dir().resolveSibling("restored-" + pointId + ".img");
        final RestoreResult r = Backups.restore(repo, disk, pointId, target);
        assertEquals(expected.size(), Files.size(target));
        assertEquals(expected.size(), r.virtualSize());
        final byte[] actual = Files.readAllBytes(target);
        assertEquals(-1, java.util.Arrays.mismatch(expected.bytes(), actual), "first differing byte of the restore");
        assertFalse(Files.exists(target.resolveSibling(target.getFileName() + ".cairn-partial")));
        return target;
    }
}
