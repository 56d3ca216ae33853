package io.cairn.engine.restore;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.engine.Progress;
import io.cairn.engine.TestSystem;
import io.cairn.engine.backup.BackupResult;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Repository;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Restore targets (file, existing file, block device) and damage detection. */
class RestoreJobTest {
    private static final int K64 = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldWriteZeroBlocksWhenTargetIsABlockDevice() throws Exception {
        final String unavailable = TestSystem.loopDevicesUnavailable();
        assumeTrue(unavailable == null, unavailable);
        final DiskImage disk = disk(32);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeSparse(dir.resolve("disk.img")));
        // the device is one block larger than the disk and starts all 0xFF: every zero block must be written
        final byte[] ff = new byte[(int) disk.size() + K64];
        Arrays.fill(ff, (byte) 0xFF);
        final Path backing = Files.write(dir.resolve("device.img"), ff);
        final Path device = TestSystem.attachLoop(backing);
        try {
            final RestoreResult r = Backups.restore(repo, "vm1", backup.id(), device);

            assertEquals(disk.size(), r.bytesWritten(), "zero blocks are written to a device");
            assertEquals(backup.blocksZero(), r.blocksZero());
            final byte[] actual = Backups.read(device, ff.length);
            assertEquals(-1, Arrays.mismatch(disk.bytes(), 0, disk.bytes().length, actual, 0, disk.bytes().length),
                    "first differing byte");
            final byte[] tail = Arrays.copyOfRange(actual, disk.bytes().length, actual.length);
            final byte[] expectedTail = new byte[K64];
            Arrays.fill(expectedTail, (byte) 0xFF);
            assertArrayEquals(expectedTail, tail, "nothing is written past the disk's size");
            assertTrue(Files.isRegularFile(backing), "the device is written in place, not replaced");
        } finally {
            TestSystem.detachLoop(device);
        }
    }

    @Test
    void shouldThrowNamingThePackAndLeaveNoFileWhenStoredBytesAreDamaged() throws Exception {
        final DiskImage disk = disk(12);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));
        final Path pack = onlyPack(repo);
        flipByte(pack, PackLayout.HEADER_LENGTH + BlockRecordLayout.HEADER_LENGTH + 10); // in record 0's data
        final Path target = dir.resolve("restored.img");
        final List<String> warnings = new ArrayList<>();

        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> new RestoreJob(repo, Progress.NONE, warnings::add).run(Backups.point(repo, "vm1",
                        backup.id()), target, false));

        assertEquals(pack, e.path());
        assertEquals(PackLayout.HEADER_LENGTH, e.offset(), "the damaged record's offset");
        assertTrue(e.getMessage().contains(pack.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        assertFalse(Files.exists(target), "no file at the target path");
        assertFalse(Files.exists(dir.resolve("restored.img.cairn-partial")), "the partial file is removed");
        assertEquals(List.of(), warnings, "the pack's footer is intact, so it is not skipped at load");
    }

    @Test
    void shouldThrowNamingThePointWhenABlockIsMissingFromTheRepository() throws Exception {
        final DiskImage disk = disk(6);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));
        Files.delete(onlyPack(repo));
        final Path target = dir.resolve("restored.img");

        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> new RestoreJob(repo, Progress.NONE, w -> { }).run(Backups.point(repo, "vm1", backup.id()),
                        target, false));

        assertEquals(Backups.point(repo, "vm1", backup.id()).path(), e.path());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("restored.img.cairn-partial")));
    }

    @Test
    void shouldRefuseBlockDeviceWhenItIsSmallerThanTheDisk() throws Exception {
        final String unavailable = TestSystem.loopDevicesUnavailable();
        assumeTrue(unavailable == null, unavailable);
        final DiskImage disk = disk(8);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));
        final byte[] ff = new byte[4 * K64];
        Arrays.fill(ff, (byte) 0xFF);
        final Path device = TestSystem.attachLoop(Files.write(dir.resolve("small.img"), ff));
        try {
            final IOException e = assertThrows(IOException.class, () -> new RestoreJob(repo, Progress.NONE,
                    w -> { }).run(Backups.point(repo, "vm1", backup.id()), device, false));

            assertTrue(e.getMessage().contains("less than"), e.getMessage());
            assertArrayEquals(ff, Backups.read(device, ff.length), "nothing written");
        } finally {
            TestSystem.detachLoop(device);
        }
    }

    @Test
    void shouldKeepExistingTargetWhenForcedRestoreFails() throws Exception {
        final DiskImage disk = disk(12);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));
        flipByte(onlyPack(repo), PackLayout.HEADER_LENGTH + BlockRecordLayout.HEADER_LENGTH + 10);
        final Path target = Files.writeString(dir.resolve("restored.img"), "older contents");

        assertThrows(CorruptRepositoryException.class, () -> new RestoreJob(repo, Progress.NONE, w -> { })
                .run(Backups.point(repo, "vm1", backup.id()), target, true));

        assertEquals("older contents", Files.readString(target));
        assertFalse(Files.exists(dir.resolve("restored.img.cairn-partial")));
    }

    @Test
    void shouldRefuseExistingTargetWhenNotForced() throws Exception {
        final DiskImage disk = disk(4);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));
        final Path target = Files.writeString(dir.resolve("restored.img"), "keep me");

        assertThrows(FileAlreadyExistsException.class, () -> new RestoreJob(repo, Progress.NONE, w -> { })
                .run(Backups.point(repo, "vm1", backup.id()), target, false));

        assertEquals("keep me", Files.readString(target));
    }

    @Test
    void shouldReplaceExistingTargetWhenForced() throws Exception {
        final DiskImage disk = disk(4);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));
        final Path target = Files.write(dir.resolve("restored.img"), new byte[(int) disk.size() * 2]);

        new RestoreJob(repo, Progress.NONE, w -> { }).run(Backups.point(repo, "vm1", backup.id()), target, true);

        assertArrayEquals(disk.bytes(), Files.readAllBytes(target));
    }

    @Test
    void shouldRestoreWithOneThreadWhenAskedTo() throws Exception {
        final DiskImage disk = disk(40);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult backup = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));
        final Path target = dir.resolve("restored.img");

        final RestoreResult r = new RestoreJob(repo, Progress.NONE, w -> { }, 1)
                .run(Backups.point(repo, "vm1", backup.id()), target, false);

        assertEquals(backup.blocksTotal() - backup.blocksZero(), r.blocksData());
        assertArrayEquals(disk.bytes(), Files.readAllBytes(target));
    }

    /** Blocks of unique data, every third one zero. */
    private static DiskImage disk(final int blocks) {
        final DiskImage d = new DiskImage((long) blocks * K64, K64);
        for (int b = 0; b < blocks; b++) {
            if (b % 3 != 1) {
                d.unique(b, 70_000 + b);
            }
        }
        return d;
    }

    private static Path onlyPack(final Repository repo) throws Exception {
        final List<Path> packs = repo.packFiles();
        assertEquals(1, packs.size());
        return packs.getFirst();
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
