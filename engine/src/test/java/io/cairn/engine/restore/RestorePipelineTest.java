package io.cairn.engine.restore;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.engine.Progress;
import io.cairn.engine.TestSystem;
import io.cairn.engine.backup.BackupResult;
import io.cairn.engine.source.vhdx.VhdxBlockSource;
import io.cairn.engine.source.vhdx.VhdxFixtures;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.PackCatalog;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.point.PointReader;
import io.cairn.nativeio.LinuxFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The restore pipeline (reader, decode workers, coalescing writer): block order whatever pack each block comes
 * from, coalesced writes, holes for zero blocks, an unaligned disk end under O_DIRECT, a damaged block in
 * the middle of a restore, and background syncs of files, VHDX files and devices beside the writes.
 */
class RestorePipelineTest {
    private static final int K64 = 64 * 1024;
    /** Not a multiple of 4096: the last block is partial and its end unaligned. */
    private static final int BLOCKS = 150;
    private static final long SIZE = (long) BLOCKS * K64 - 1000;

    @TempDir
    Path dir;

    @Test
    void shouldRestoreEveryBlockInPlaceWhenBlocksComeFromManyPacksInMixedOrder() throws Exception {
        final Repository repo = smallPackRepo();
        final DiskImage first = mixedDisk();
        final BackupResult full = Backups.backup(repo, "vm1", first.writeDense(dir.resolve("disk1.img")));
        // the incremental's changed blocks land in new packs, so its map alternates between pack generations
        final DiskImage second = first.copy();
        for (int b = 5; b < BLOCKS; b += 7) {
            second.unique(b, 90_000 + b);
        }
        second.copyBlock(5, 140); // the same record serves two distant blocks
        final BackupResult incr = Backups.backup(repo, "vm1", second.writeDense(dir.resolve("disk2.img")));
        assertTrue(repo.packFiles().size() >= 4, "several packs: " + repo.packFiles().size());

        for (int workers : new int[] {1, 3}) {
            final Path t1 = dir.resolve("full-" + workers + ".img");
            final Path t2 = dir.resolve("incr-" + workers + ".img");
            final RestoreResult r1 = new RestoreJob(repo, Progress.NONE, w -> { }, workers)
                    .run(Backups.point(repo, "vm1", full.id()), t1, false);
            final RestoreResult r2 = new RestoreJob(repo, Progress.NONE, w -> { }, workers)
                    .run(Backups.point(repo, "vm1", incr.id()), t2, false);

            assertArrayEquals(first.bytes(), Files.readAllBytes(t1), "full point, " + workers + " workers");
            assertArrayEquals(second.bytes(), Files.readAllBytes(t2), "incremental point, " + workers + " workers");
            assertEquals(full.blocksTotal() - full.blocksZero(), r1.blocksData());
            assertEquals(full.blocksZero(), r1.blocksZero());
            assertTrue(r1.writes() * 4 < r1.blocksData(), "adjacent blocks are written in runs: " + r1.writes()
                    + " writes for " + r1.blocksData() + " data blocks");
            assertEquals(SIZE - zeroBytes(first), r1.bytesWritten(), "zero blocks are not written");
            assertHoles(first, t1);
            assertHoles(second, t2);
            assertTrue(r2.readerBusyNs() >= 0 && r2.syncNs() > 0, "the final sync is timed");
        }
    }

    @Test
    void shouldFailNamingTheBlockAndLeaveNothingWhenARecordInTheMiddleIsDamaged() throws Exception {
        final Repository repo = smallPackRepo();
        final DiskImage disk = mixedDisk();
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));
        final long damagedBlock = 77;
        assertNotEquals(0, disk.bytes()[(int) (damagedBlock * K64)], "block 77 holds data");
        final Path pack;
        final long recordOffset;
        try (PointReader point = PointReader.open(Backups.point(repo, "vm1", backup.id()).path());
             PackCatalog catalog = PackCatalog.load(repo, 0, e -> { })) {
            final long loc = catalog.index().get(point.idHi(damagedBlock), point.idLo(damagedBlock));
            pack = catalog.packPath(BlockLocation.packOrdinal(loc));
            recordOffset = BlockLocation.recordOffset(loc);
        }
        flipByte(pack, recordOffset + BlockRecordLayout.HEADER_LENGTH + 100);
        final Path target = dir.resolve("restored.img");
        final List<String> warnings = new ArrayList<>();

        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> new RestoreJob(repo, Progress.NONE, warnings::add, 2)
                        .run(Backups.point(repo, "vm1", backup.id()), target, false));

        assertEquals(pack, e.path());
        assertEquals(recordOffset, e.offset());
        assertTrue(e.getMessage().contains("block " + damagedBlock + " "), e.getMessage());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        assertFalse(Files.exists(target), "nothing at the target path");
        assertFalse(Files.exists(dir.resolve("restored.img.cairn-partial")), "the partial file is removed");
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldWriteAnUnalignedDiskEndToABlockDeviceAndNothingPastIt() throws Exception {
        final String unavailable = TestSystem.loopDevicesUnavailable();
        assumeTrue(unavailable == null, unavailable);
        final Repository repo = smallPackRepo();
        final DiskImage disk = mixedDisk();
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeSparse(dir.resolve("disk.img")));
        final byte[] ff = new byte[BLOCKS * K64 + K64];
        Arrays.fill(ff, (byte) 0xFF);
        final Path device = TestSystem.attachLoop(Files.write(dir.resolve("device.img"), ff));
        try {
            // a background sync every 1 MiB: a device's fdatasync beside the writes
            final RestoreResult r = new RestoreJob(repo, Progress.NONE, w -> { }, 2, 1 << 20)
                    .run(Backups.point(repo, "vm1", backup.id()), device, false);

            assertEquals(SIZE, r.bytesWritten(), "zero blocks are written to a device");
            assertTrue(r.backgroundSyncs() > 0, "the device was synced in the background");
            final byte[] actual = Backups.read(device, ff.length);
            assertArrayEquals(disk.bytes(), Arrays.copyOf(actual, (int) SIZE));
            final byte[] tail = Arrays.copyOfRange(actual, (int) SIZE, actual.length);
            final byte[] expectedTail = new byte[tail.length];
            Arrays.fill(expectedTail, (byte) 0xFF);
            assertArrayEquals(expectedTail, tail, "nothing is written past the disk's size");
        } finally {
            TestSystem.detachLoop(device);
        }
    }

    @Test
    void shouldSyncInTheBackgroundWhileRestoringALargeSparseDiskBitExact() throws Exception {
        final int mib = 1 << 20;
        final long size = 320L * mib - 1000; // the unaligned end goes through the buffered descriptor
        final Path image = dir.resolve("big.img");
        long dataBytes = 0;
        final List<Long> zeroBlocks = new ArrayList<>();
        try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(size);
            final SplittableRandom random = new SplittableRandom(42);
            final byte[] block = new byte[mib];
            for (long b = 0; b * mib < size; b++) {
                if (b % 3 == 1 || (b >= 100 && b < 140)) {
                    zeroBlocks.add(b);
                    continue;
                }
                if (b % 2 == 0) {
                    random.nextBytes(block); // incompressible: a raw record
                } else {
                    Arrays.fill(block, (byte) b); // compressible: a zstd record
                    block[(int) (b % mib)] = (byte) ~b;
                }
                final int n = (int) Math.min(mib, size - b * mib);
                raf.seek(b * mib);
                raf.write(block, 0, n);
                dataBytes += n;
            }
        }
        final Repository repo = Backups.init(dir.resolve("big-repo"), mib, "zstd");
        final BackupResult backup = Backups.backup(repo, "big", image, 2);
        final long interval = 16L * mib;

        final Path synced = dir.resolve("synced.img");
        final RestoreResult r = new RestoreJob(repo, Progress.NONE, w -> { }, 2, interval)
                .run(Backups.point(repo, "big", backup.id()), synced, false);
        final Path unsynced = dir.resolve("unsynced.img");
        final RestoreResult none = new RestoreJob(repo, Progress.NONE, w -> { }, 2, Long.MAX_VALUE)
                .run(Backups.point(repo, "big", backup.id()), unsynced, false);

        assertEquals(-1, Files.mismatch(image, synced), "bit-exact with background syncs");
        assertEquals(-1, Files.mismatch(image, unsynced), "bit-exact without");
        assertEquals(dataBytes, r.bytesWritten(), "zero blocks are not written");
        assertTrue(r.backgroundSyncs() > 0, "synced in the background: " + r.backgroundSyncs());
        assertTrue(r.backgroundSyncs() <= dataBytes / interval, "at most one sync per interval written: "
                + r.backgroundSyncs() + " syncs for " + dataBytes + " bytes");
        assertTrue(r.backgroundSyncNs() > 0 && r.syncNs() > 0, "background and final syncs are timed");
        assertEquals(0, none.backgroundSyncs());
        assertEquals(0, none.backgroundSyncNs());
        for (long b : zeroBlocks) {
            assertTrue(TestSystem.isHole(synced, b * mib, Math.min(mib, size - b * mib)), "zero block " + b
                    + " is a hole");
        }
        assertFalse(Files.exists(dir.resolve("synced.img.cairn-partial")), "no partial file left");
        assertFalse(RestoreSyncerTest.syncThreadAlive(), "no sync thread left");
    }

    @Test
    void shouldSyncAVhdxTargetInTheBackgroundAndFinishItReadable() throws Exception {
        final Repository repo = smallPackRepo();
        final DiskImage disk = new DiskImage((long) BLOCKS * K64, K64);
        for (int b = 0; b < BLOCKS; b++) {
            if (b % 4 != 1) {
                disk.unique(b, 30_000 + b);
            }
        }
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeSparse(dir.resolve("disk.img")));
        final Path target = dir.resolve("restored.vhdx");

        final RestoreResult r = new RestoreJob(repo, Progress.NONE, w -> { }, 2, 1 << 20)
                .run(Backups.point(repo, "vm1", backup.id()), target, false, RestoreFormat.VHDX);

        assertTrue(r.backgroundSyncs() > 0, "the VHDX file was synced in the background");
        try (VhdxBlockSource source = VhdxBlockSource.open(target)) {
            assertArrayEquals(disk.bytes(), VhdxFixtures.readAll(source, K64));
        }
        assertFalse(Files.exists(dir.resolve("restored.vhdx.cairn-partial")));
    }

    /** 1 MiB packs, so a disk of a few MiB spans several packs. */
    private Repository smallPackRepo() throws Exception {
        final RepositoryConfig c = RepositoryConfig.create(K64, "zstd", 1);
        return Repository.init(dir.resolve("repo"), new RepositoryConfig(c.version(), c.repositoryId(), c.created(),
                c.blockSize(), c.blockIdAlgorithm(), c.compression(), c.compressionLevel(),
                RepositoryConfig.MIN_PACK_SIZE));
    }

    /**
     * Runs of compressible blocks (zstd records), incompressible ones (raw records), zero runs of several lengths,
     * and a duplicate; the last block is partial.
     */
    private static DiskImage mixedDisk() {
        final DiskImage d = new DiskImage(SIZE, K64);
        for (int b = 0; b < BLOCKS; b++) {
            if (b % 17 == 3 || (b >= 40 && b < 46) || b == 100) {
                continue; // zero
            }
            if (b % 5 == 2) {
                d.random(b, 50_000 + b);
            } else {
                d.unique(b, 70_000 + b);
            }
        }
        d.copyBlock(10, 60);
        return d;
    }

    private static long zeroBytes(final DiskImage d) {
        long n = 0;
        for (long b = 0; b < d.blockCount(); b++) {
            if (isZero(d, b)) {
                n += Math.min(K64, d.size() - b * K64);
            }
        }
        return n;
    }

    private static boolean isZero(final DiskImage d, final long block) {
        final int from = (int) (block * K64);
        final int to = (int) Math.min(d.size(), from + K64);
        for (int i = from; i < to; i++) {
            if (d.bytes()[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Every zero block of the disk is a hole in the restored file, every data block is allocated. */
    private static void assertHoles(final DiskImage d, final Path file) throws Exception {
        try (LinuxFile f = LinuxFile.openRead(file, false)) {
            assertEquals(d.size(), f.size());
            for (long b = 0; b < d.blockCount(); b++) {
                final long start = b * K64;
                final long data = f.seekData(start);
                if (isZero(d, b)) {
                    assertTrue(data < 0 || data >= start + K64, "zero block " + b + " is a hole");
                } else {
                    assertEquals(start, data, "data block " + b + " is allocated");
                }
            }
        }
    }

    private static void flipByte(final Path file, final long offset) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            final int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x40);
        }
    }
}
