package io.cairn.engine.backup;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.format.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.cairn.engine.backup.BackupRoundTripTest.assertRestoresTo;
import static io.cairn.engine.backup.BackupRoundTripTest.mixed;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Dedup within one run (session index), across disks and across runs (base index). */
class DedupBackupTest {
    private static final int K64 = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldStoreOneBlockWhenEveryBlockIsTheSameNonZeroContent() throws Exception {
        final DiskImage disk = new DiskImage(48L * K64, K64);
        for (long b = 0; b < 48; b++) {
            disk.fill(b, (byte) 0xC3);
        }
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");

        final BackupResult r = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));

        assertEquals(1, r.blocksNew());
        assertEquals(47, r.blocksDedup());
        assertEquals(0, r.blocksZero());
        assertEquals(48, r.blocksChanged(), "a full backup counts every non-zero block as changed");
        assertEquals(K64, r.bytesNewRaw());
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldStoreEachDistinctBlockOnceWhenContentRepeatsAcrossTheDisk() throws Exception {
        final DiskImage disk = new DiskImage(40L * K64, K64);
        for (long b = 0; b < 40; b++) {
            disk.unique(b, b % 5); // five distinct blocks, each eight times
        }
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");

        final BackupResult r = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("disk.img")));

        assertEquals(5, r.blocksNew());
        assertEquals(35, r.blocksDedup());
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldStoreNothingWhenSecondDiskHasTheSameContent() throws Exception {
        final DiskImage disk = mixed(50, K64);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult first = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("vm1.img")));
        final int packs = repo.packFiles().size();

        final BackupResult second = Backups.backup(repo, "vm2", disk.writeSparse(dir.resolve("vm2.img")));

        assertEquals("full", second.type(), "vm2 has no earlier point of its own");
        assertEquals(0, second.blocksNew());
        assertEquals(0, second.bytesStored());
        assertEquals(0, second.bytesNewRaw());
        assertEquals(first.blocksNew() + first.blocksDedup(), second.blocksDedup());
        assertEquals(packs, repo.packFiles().size(), "no new pack");
        assertRestoresTo(repo, "vm2", second.id(), disk);
        assertRestoresTo(repo, "vm1", first.id(), disk);
    }

    @Test
    void shouldDedupAgainstRepositoryWhenBlockChangesBackToOlderContent() throws Exception {
        final DiskImage v1 = mixed(30, K64);
        final DiskImage v2 = v1.copy().unique(7, 777_777);
        final DiskImage v3 = v2.copy();
        System.arraycopy(v1.bytes(), 7 * K64, v3.bytes(), 7 * K64, K64); // block 7 back to its v1 content
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult r1 = Backups.backup(repo, "vm1", v1.writeDense(dir.resolve("v1.img")));

        final BackupResult r2 = Backups.backup(repo, "vm1", v2.writeDense(dir.resolve("v2.img")));
        final BackupResult r3 = Backups.backup(repo, "vm1", v3.writeDense(dir.resolve("v3.img")));

        assertEquals(1, r2.blocksChanged());
        assertEquals(1, r2.blocksNew());
        assertEquals(1, r3.blocksChanged(), "block 7 differs from the parent (v2)");
        assertEquals(0, r3.blocksNew(), "but its content is already in the repository (from v1)");
        assertEquals(0, r3.bytesStored());
        assertEquals(r2.id(), r3.parent());
        assertRestoresTo(repo, "vm1", r1.id(), v1);
        assertRestoresTo(repo, "vm1", r2.id(), v2);
        assertRestoresTo(repo, "vm1", r3.id(), v3);
    }
}
