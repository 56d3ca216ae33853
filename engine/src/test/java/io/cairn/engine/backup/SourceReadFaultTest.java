package io.cairn.engine.backup;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.engine.Progress;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
import io.cairn.engine.DeepRecordCheck;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static io.cairn.engine.backup.BackupRoundTripTest.assertRestoresTo;
import static io.cairn.engine.backup.BackupRoundTripTest.mixed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file source whose disk starts failing with EIO in the middle of a backup (issue 5, "I/O errors on the source"):
 * the backup fails with the source's error (one line naming the file and the offset), publishes no restore point
 * and leaves nothing in tmp/; packs sealed before the failure are only reclaimable (verify stays clean); the
 * earlier restore point still restores bit-exact; and once the disk reads again, the next backup succeeds and
 * restores bit-exact, so the garbage the failed reads left in the buffers was never recorded as data.
 */
class SourceReadFaultTest {
    private static final int K64 = 64 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "EIO after {0} good reads, async={1}")
    @CsvSource({"0, false", "0, true", "45, false", "45, true", "119, true"})
    void shouldFailClearlyAndPublishNothingWhenSourceReadFailsWithEio(final int goodReads, final boolean async)
            throws Exception {
        final Repository repo = Repository.init(dir.resolve("repo"), new RepositoryConfig(
                RepositoryConfig.CURRENT_VERSION, Hex.of(Ids.random128()), Instant.now(), K64,
                RepositoryConfig.XXH3_128, "zstd", 1, RepositoryConfig.MIN_PACK_SIZE));
        final DiskImage first = mixed(120, K64);
        final Path image = first.writeDense(dir.resolve("d.img"));
        final BackupResult earlier = Backups.backup(repo, "vm1", image);
        final DiskImage changed = first.copy();
        for (int b = 0; b < 120; b += 2) {
            changed.random(b, 7000 + b); // 60 new incompressible blocks: about four 1 MiB packs
        }
        changed.writeDense(image);

        final FaultInjectingBlockSource source = new FaultInjectingBlockSource(FileBlockSource.open(image),
                image.toString(), goodReads, async);
        final IOException thrown;
        try (source) {
            thrown = assertThrows(IOException.class,
                    () -> new BackupJob(repo, "vm1", Progress.NONE, w -> { }).run(source));
        }

        assertNotNull(source.failure(), "the injected read failure happened");
        assertSame(source.failure(), thrown, "the caller sees the source's error itself");
        final String message = thrown.getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        assertTrue(message.contains(image.toString()) && message.contains("offset=") && message.contains("EIO"),
                "names the source, the offset and the error: " + message);
        assertEquals(List.of(earlier.id()), repo.listPoints("vm1", e -> { }).stream().map(p -> p.id()).toList(),
                "no restore point of the failed backup");
        assertEquals(List.of(), repo.tmpFiles(), "tmp/ is cleaned up");
        assertClean(repo);
        Files.delete(assertRestoresTo(repo, "vm1", earlier.id(), first));

        final BackupResult next = Backups.backup(repo, "vm1", image);
        assertEquals("incremental", next.type());
        assertRestoresTo(repo, "vm1", next.id(), changed);
        assertClean(repo);
    }

    /** verify --deep: no damage (packs sealed before the failure are reclaimable, not damage). */
    private static void assertClean(final Repository repo) throws Exception {
        final VerifyReport r;
        try (DeepRecordCheck deep = new DeepRecordCheck(K64)) {
            r = new RepositoryVerifier(repo, deep, s -> { }).run();
        }
        assertTrue(r.clean(), () -> r.findings().toString());
    }
}
