package io.cairn.engine.backup;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.engine.Progress;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.ChangeTracking;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import io.cairn.format.health.DamageLedger;
import io.cairn.format.point.PointReader;
import io.cairn.format.verify.PointHealth;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.cairn.engine.backup.BackupRoundTripTest.assertRestoresTo;
import static io.cairn.engine.backup.BackupRoundTripTest.mixed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Healing (FORMAT.md section 11) when change tracking says nothing changed: a block whose record verify found
 * damaged and recorded must still be read from the source by the next incremental, or the new point would copy the
 * damaged id from its parent. A source whose tracking reports no change at all makes the difference visible: it
 * reads exactly the damaged block, then nothing once healed.
 */
class HealAfterDamageBackupTest {
    private static final int K64 = 64 * 1024;
    private static final int BLOCKS = 40;

    @TempDir
    Path dir;

    @Test
    void shouldRereadDamagedBlockWhenChangeTrackingReportsNoChange() throws Exception {
        final DiskImage image = mixed(BLOCKS, K64);
        final Path file = image.writeDense(dir.resolve("disk.img"));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult full = Backups.backup(repo, "vm", file);
        final long damagedBlock = 5; // mixed(): data at b % 7 in {0, 1, 3, 5, 6}
        Backups.flipStoredByte(repo, "vm", full.id(), damagedBlock);

        final VerifyReport found = verify(repo);
        assertEquals(List.of(full.id()), found.pointsWith(PointHealth.Status.DAMAGED));
        assertEquals(List.of(Long.toString(damagedBlock)), found.points().getFirst().damagedBlocks().asStrings());
        record(repo, found);

        final BackupResult healing = backupTrackedUnchanged(repo, file);
        assertEquals("cbt:test:nothing-changed", healing.changeDetection());
        assertEquals(K64, healing.bytesRead(), "exactly the damaged block is read again");
        assertEquals(1, healing.blocksNew(), "and stored again");
        assertEquals(0, healing.blocksChanged(), "its content did not change");
        assertEquals("1", manifestValue(repo, healing.id(), BackupJob.BLOCKS_REREAD_DAMAGED));

        final BackupResult after = backupTrackedUnchanged(repo, file);
        assertEquals(0, after.bytesRead(), "healed: nothing is forced any more, the tracking is obeyed");
        assertEquals("0", manifestValue(repo, after.id(), BackupJob.BLOCKS_REREAD_DAMAGED));

        final VerifyReport healed = verify(repo);
        assertTrue(healed.clean(), healed.findings().toString());
        assertEquals(List.of(full.id()), healed.pointsWith(PointHealth.Status.HEALED));
        assertEquals(List.of(healing.id(), after.id()), healed.intactPoints());
        assertRestoresTo(repo, "vm", full.id(), image);
        assertRestoresTo(repo, "vm", healing.id(), image);
    }

    @Test
    void shouldKeepOldPointDamagedWhenTrackedSourceChangedTheDamagedBlock() throws Exception {
        final DiskImage v1 = mixed(BLOCKS, K64);
        final Path file = v1.writeDense(dir.resolve("disk.img"));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult full = Backups.backup(repo, "vm", file);
        Backups.flipStoredByte(repo, "vm", full.id(), 6);
        record(repo, verify(repo));
        final DiskImage v2 = v1.copy().unique(6, 77);
        v2.writeDense(file);

        final BackupResult next = backupTrackedUnchanged(repo, file); // the tracking even misses the write

        assertEquals(K64, next.bytesRead(), "block 6 is read because its parent id is damaged");
        final VerifyReport r = verify(repo);
        assertEquals(List.of(full.id()), r.pointsWith(PointHealth.Status.DAMAGED));
        assertEquals(List.of("6"), r.points().getFirst().damagedBlocks().asStrings());
        assertEquals(List.of(next.id()), r.intactPoints());
        assertRestoresTo(repo, "vm", next.id(), v2);
    }

    private static VerifyReport verify(final Repository repo) throws IOException {
        return new RepositoryVerifier(repo, null, s -> { }).run();
    }

    private static void record(final Repository repo, final VerifyReport report) throws IOException {
        assertEquals(1, report.newDamage().size(), report.findings().toString());
        try (RepositoryLock ignored = repo.lockForWrite("test verify")) {
            assertEquals(1, DamageLedger.add(repo, report.newDamage()));
        }
    }

    private static BackupResult backupTrackedUnchanged(final Repository repo, final Path file) throws IOException {
        final List<String> warnings = new ArrayList<>();
        try (BlockSource source = new NothingChangedSource(FileBlockSource.open(file))) {
            final BackupResult r = new BackupJob(repo, "vm", Progress.NONE, warnings::add, 2).run(source);
            assertEquals(List.of(), warnings);
            return r;
        }
    }

    private static String manifestValue(final Repository repo, final String pointId, final String key)
            throws IOException {
        try (PointReader r = PointReader.open(repo.findPoint("vm", pointId).path())) {
            return r.manifest().get(key);
        }
    }

    /** A file source whose change tracking says nothing was written since the parent point. */
    private static final class NothingChangedSource implements BlockSource {
        private final FileBlockSource file;

        NothingChangedSource(final FileBlockSource file) {
            this.file = file;
        }

        @Override
        public long size() {
            return file.size();
        }

        @Override
        public String describe() {
            return file.describe();
        }

        @Override
        public String identity() {
            return file.identity();
        }

        @Override
        public long nextData(final long offset) throws IOException {
            return file.nextData(offset);
        }

        @Override
        public long nextHole(final long offset) throws IOException {
            return file.nextHole(offset);
        }

        @Override
        public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
            file.read(dst, offset, length);
        }

        @Override
        public Optional<AsyncReader> asyncReader(final int depth) throws IOException {
            return file.asyncReader(depth);
        }

        @Override
        public ChangeTracking changeTracking() {
            return new ChangeTracking() {
                @Override
                public String describe() {
                    return "test:nothing-changed";
                }

                @Override
                public long nextChanged(final long offset) {
                    return -1;
                }

                @Override
                public long changedEnd(final long offset) {
                    return offset;
                }

                @Override
                public long changedBytes() {
                    return 0;
                }
            };
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
