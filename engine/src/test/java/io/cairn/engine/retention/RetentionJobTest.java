package io.cairn.engine.retention;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import io.cairn.format.RepositoryLockedException;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RetentionJob} and {@link Repository#deletePoint} on a real repository: five restore points of a small disk
 * whose first blocks change every time, so the packs of removed incrementals end up referenced by no point.
 */
class RetentionJobTest {
    private static final int K64 = 64 * 1024;
    private static final int BLOCKS = 24;

    @TempDir
    Path dir;
    private Repository repo;
    private final List<String> ids = new ArrayList<>();
    private final List<DiskImage> versions = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void fivePoints() throws Exception {
        repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        DiskImage image = new DiskImage((long) BLOCKS * K64, K64);
        for (int b = 0; b < BLOCKS; b++) {
            image.unique(b, 100 + b);
        }
        for (int v = 0; v < 5; v++) {
            if (v > 0) {
                image = image.copy().unique(0, 1000 + v).unique(1, 2000 + v); // the same two blocks change
            }
            versions.add(image);
            ids.add(Backups.backup(repo, "vm1", image.writeDense(dir.resolve("v" + v + ".img"))).id());
        }
    }

    @Test
    void shouldDeleteOlderPointsAndKeepTheRestRestorableWhenKeepLastIsTwo() throws Exception {
        final RetentionResult r = new RetentionJob(repo, warnings::add).run("vm1", new RetentionPolicy(2, 0, 0, 0, 0),
                Instant.now(), false);

        assertEquals(3, r.deletedPoints());
        assertEquals(ids.subList(0, 3), r.plan().removed().stream().map(d -> d.point().id()).toList());
        assertEquals(ids.subList(3, 5), repo.listPoints("vm1", e -> { }).stream().map(PointInfo::id).toList());
        for (int v = 3; v < 5; v++) {
            assertRestores(v);
        }
        final VerifyReport report = new RepositoryVerifier(repo, null, s -> { }).run();
        assertTrue(report.clean(), report.findings().toString());
        assertTrue(report.reclaimableBytes() > 0, "packs of removed incrementals should be reclaimable");
        assertEquals(List.of(), repo.tmpFiles(), "no leftover of the deletions");
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldDeleteNothingWhenDryRun() throws Exception {
        final RetentionResult r = new RetentionJob(repo, warnings::add).run(null, new RetentionPolicy(1, 0, 0, 0, 0),
                Instant.now(), true);

        assertTrue(r.dryRun());
        assertEquals(4, r.plan().removed().size());
        assertEquals(0, r.deletedPoints());
        assertEquals(ids, repo.listPoints(null, e -> { }).stream().map(PointInfo::id).toList());
    }

    @Test
    void shouldRefuseWhenAnotherWriterHoldsTheLock() throws Exception {
        try (RepositoryLock held = Repository.open(repo.dir()).lockForWrite("backup")) {
            assertThrows(RepositoryLockedException.class, () -> new RetentionJob(repo, warnings::add)
                    .run("vm1", new RetentionPolicy(1, 0, 0, 0, 0), Instant.now(), false));
        }
        assertEquals(5, repo.listPoints("vm1", e -> { }).size());
    }

    @Test
    void shouldRefuseToDeletePointWhenWriterLockIsNotHeld() throws Exception {
        final PointInfo oldest = repo.listPoints("vm1", e -> { }).getFirst();

        assertThrows(IllegalStateException.class, () -> repo.deletePoint(oldest));
        repo.lockForWrite("test").close();
        assertThrows(IllegalStateException.class, () -> repo.deletePoint(oldest));

        assertTrue(Files.exists(oldest.path()));
    }

    @Test
    void shouldLeaveOnlyReclaimableLeftoverWhenDeletionStopsAfterRename() throws Exception {
        // The state a crash between deletePoint's rename and its unlink leaves behind.
        final PointInfo oldest = repo.listPoints("vm1", e -> { }).getFirst();
        Files.move(oldest.path(), repo.tmpDir().resolve(oldest.id() + Repository.DELETED_POINT_SUFFIX));

        final VerifyReport report = new RepositoryVerifier(repo, null, s -> { }).run();

        assertTrue(report.clean(), report.findings().toString());
        assertTrue(report.reclaimableBytes() >= Files.size(repo.tmpFiles().getFirst()));
        assertFalse(repo.listPoints("vm1", e -> { }).stream().anyMatch(p -> p.id().equals(oldest.id())));
        for (int v = 1; v < 5; v++) {
            assertRestores(v);
        }
    }

    @Test
    void shouldFailClearlyWhenDiskHasNoPoints() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RetentionJob(repo, warnings::add).run("nope", new RetentionPolicy(1, 0, 0, 0, 0),
                        Instant.now(), true));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void shouldReadTimeOfUuidV7Id() {
        final long ms = Instant.parse("2026-11-25T15:00:00.123Z").toEpochMilli();
        assertEquals(ms, RetentionJob.timeOfId(io.cairn.format.Ids.newPointId(ms)).toEpochMilli());
    }

    private void assertRestores(final int version) throws Exception {
        final Path target = dir.resolve("restore-" + version + ".img");
        Backups.restore(repo, "vm1", ids.get(version), target);
        assertArrayEquals(versions.get(version).bytes(), Files.readAllBytes(target), "restore of version " + version);
        Files.delete(target);
    }
}
