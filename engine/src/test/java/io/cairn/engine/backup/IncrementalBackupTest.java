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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Incremental backups: change detection by hash comparison with the parent's block map. */
class IncrementalBackupTest {
    private static final int K64 = 64 * 1024;
    private static final int BLOCKS = 400;

    @TempDir
    Path dir;

    @Test
    void shouldCountExactlyTheChangedBlocksWhenTwoPercentChange() throws Exception {
        final DiskImage v1 = mixed(BLOCKS, K64);
        final DiskImage v2 = v1.copy();
        // 8 of 400 blocks (2%), every kind of change; mixed() puts data at b % 7 in {0, 1, 3, 5, 6}, zeros at 2, 4
        v2.unique(0, 900_001).unique(70, 900_002).unique(350, 900_003); // data -> new data
        v2.unique(2, 900_004);                                         // zero -> new data
        v2.fill(21, (byte) 0);                                         // data -> zero (a hole in v2's file)
        v2.random(99, 900_005);                                        // incompressible -> new incompressible
        v2.copyBlock(7, 140);                                          // data -> content of another block
        v2.bytes()[210 * K64 + 5000] ^= 0x01;                          // one bit flipped
        final long newContent = 6; // all but the zeroed block and the copied block
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult full = Backups.backup(repo, "vm1", v1.writeDense(dir.resolve("v1.img")));

        final BackupResult inc = Backups.backup(repo, "vm1", v2.writeSparse(dir.resolve("v2.img")));

        assertEquals("incremental", inc.type());
        assertEquals(full.id(), inc.parent());
        assertEquals("hash-compare", inc.changeDetection());
        assertEquals(8, inc.blocksChanged());
        assertTrue(inc.blocksNew() <= 8);
        assertEquals(newContent, inc.blocksNew());
        assertRestoresTo(repo, "vm1", full.id(), v1);
        assertRestoresTo(repo, "vm1", inc.id(), v2);
    }

    @Test
    void shouldReportNoChangeWhenDiskIsUnchanged() throws Exception {
        final DiskImage v1 = mixed(60, K64);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult full = Backups.backup(repo, "vm1", v1.writeDense(dir.resolve("v1.img")));

        final BackupResult inc = Backups.backup(repo, "vm1", dir.resolve("v1.img"));

        assertEquals("incremental", inc.type());
        assertEquals(full.id(), inc.parent());
        assertEquals(0, inc.blocksChanged());
        assertEquals(0, inc.blocksNew());
        assertEquals(0, inc.bytesStored());
        assertRestoresTo(repo, "vm1", inc.id(), v1);
    }

    @Test
    void shouldCountAppendedBlocksAsChangedWhenDiskGrows() throws Exception {
        final DiskImage v1 = mixed(30, K64);
        final DiskImage v2 = new DiskImage(33L * K64, K64);
        System.arraycopy(v1.bytes(), 0, v2.bytes(), 0, v1.bytes().length);
        v2.unique(30, 5_001).unique(32, 5_002); // block 31 stays zero
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult full = Backups.backup(repo, "vm1", v1.writeDense(dir.resolve("v1.img")));

        final BackupResult inc = Backups.backup(repo, "vm1", v2.writeDense(dir.resolve("v2.img")));

        assertEquals(33, inc.blocksTotal());
        assertEquals(2, inc.blocksChanged(), "two data blocks past the parent's end; a new zero block is no change");
        assertEquals(2, inc.blocksNew());
        assertRestoresTo(repo, "vm1", full.id(), v1);
        assertRestoresTo(repo, "vm1", inc.id(), v2);
    }

    @Test
    void shouldRestoreEachPointOfAChainWhenSeveralIncrementalsFollow() throws Exception {
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        DiskImage current = mixed(40, K64);
        final DiskImage[] versions = new DiskImage[4];
        final String[] ids = new String[4];
        String parent = null;
        for (int v = 0; v < 4; v++) {
            if (v > 0) {
                current = current.copy().unique(v * 9, 40_000 + v).unique(v * 9 + 1, 40_100 + v);
            }
            versions[v] = current;
            final BackupResult r = Backups.backup(repo, "vm1", current.writeSparse(dir.resolve("v" + v + ".img")));
            assertEquals(parent, r.parent());
            if (v > 0) {
                assertEquals(2, r.blocksChanged(), "version " + v);
            }
            ids[v] = r.id();
            parent = r.id();
        }
        for (int v = 0; v < 4; v++) {
            assertRestoresTo(repo, "vm1", ids[v], versions[v]);
        }
    }
}
