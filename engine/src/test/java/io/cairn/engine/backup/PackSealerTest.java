package io.cairn.engine.backup;

import io.cairn.engine.DiskImage;
import io.cairn.engine.Progress;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cairn.engine.backup.BackupRoundTripTest.assertRestoresTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packs are sealed and published on the sealer thread while the writer fills the next one: many packs in one
 * backup all land and restore, and a pack that fails on the sealer thread fails the backup with that pack's own
 * error, before any restore point is written.
 */
class PackSealerTest {
    private static final int K64 = 64 * 1024;
    /** 1 MiB packs (the minimum) and 96 incompressible 64 KiB blocks: 6 MiB, six or more packs. */
    private static final int BLOCKS = 96;

    @TempDir
    Path dir;

    private Repository smallPackRepo() throws IOException {
        final RepositoryConfig c = RepositoryConfig.create(K64, "zstd", 1);
        return Repository.init(dir.resolve("repo"), new RepositoryConfig(c.version(), c.repositoryId(), c.created(),
                c.blockSize(), c.blockIdAlgorithm(), c.compression(), c.compressionLevel(),
                RepositoryConfig.MIN_PACK_SIZE));
    }

    private static DiskImage incompressible() {
        final DiskImage d = new DiskImage((long) BLOCKS * K64, K64);
        for (int b = 0; b < BLOCKS; b++) {
            d.random(b, 7000 + b);
        }
        return d;
    }

    @Test
    void shouldPublishEveryPackOfAManyPackBackup() throws Exception {
        final Repository repo = smallPackRepo();
        final DiskImage disk = incompressible();
        final BackupResult r;
        try (FileBlockSource source = FileBlockSource.open(disk.writeDense(dir.resolve("d.img")))) {
            r = new BackupJob(repo, "vm1", Progress.NONE, w -> { }).run(source);
        }
        assertTrue(repo.packFiles().size() >= 6, "packs: " + repo.packFiles().size());
        assertEquals(List.of(), repo.tmpFiles(), "every pack was published, none left in tmp/");
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldFailWithTheSealersErrorAndPublishNoPoint() throws Exception {
        final Repository repo = smallPackRepo();
        // a file in place of every packs/xx/ directory: the first pack's publish fails, on the sealer thread
        for (int i = 0; i < 256; i++) {
            Files.createFile(repo.dir().resolve(Repository.PACKS).resolve(String.format("%02x", i)));
        }
        final DiskImage disk = incompressible();
        try (FileBlockSource source = FileBlockSource.open(disk.writeDense(dir.resolve("d.img")))) {
            final IOException e = assertThrows(IOException.class,
                    () -> new BackupJob(repo, "vm1", Progress.NONE, w -> { }).run(source));
            assertTrue(e.getStackTrace().length > 0 && e.getMessage() != null && e.getMessage().contains("packs"),
                    "the publish failure itself, naming the path: " + e);
        }
        assertEquals(List.of(), repo.listPoints("vm1", x -> { }));
        assertEquals(List.of(), repo.tmpFiles().stream().filter(p -> p.toString().endsWith(".point.tmp")).toList(),
                "no point file was started or it was removed");
        assertEquals(List.of(), repo.packFiles(), "no pack could be published");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(
                t -> t.getName().equals("cairn-pack-sealer") && t.isAlive()), "the sealer thread has ended");
        // once the obstacle is gone the same backup works
        for (int i = 0; i < 256; i++) {
            Files.delete(repo.dir().resolve(Repository.PACKS).resolve(String.format("%02x", i)));
        }
        final BackupResult r;
        try (FileBlockSource source = FileBlockSource.open(dir.resolve("d.img"))) {
            r = new BackupJob(repo, "vm1", Progress.NONE, w -> { }).run(source);
        }
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }
}
