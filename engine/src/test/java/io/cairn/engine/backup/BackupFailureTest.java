package io.cairn.engine.backup;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.engine.Progress;
import io.cairn.engine.restore.RestoreJob;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.format.Repository;
import io.cairn.format.pack.PackLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.cairn.engine.backup.BackupRoundTripTest.assertRestoresTo;
import static io.cairn.engine.backup.BackupRoundTripTest.mixed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backup that fails publishes no restore point and leaves nothing in tmp/; damaged packs are worked around. */
class BackupFailureTest {
    private static final int K64 = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldPublishNoPointWhenSourceFailsMidway() throws Exception {
        final DiskImage disk = mixed(40, K64);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final IOException failure = new IOException("injected read failure at block 25");
        try (BlockSource source = new FailingSource(FileBlockSource.open(disk.writeDense(dir.resolve("d.img"))),
                25L * K64, failure)) {
            final IOException thrown = assertThrows(IOException.class,
                    () -> new BackupJob(repo, "vm1", Progress.NONE, w -> { }).run(source));
            assertSame(failure, thrown, "the first failure is what the caller sees");
        }
        assertEquals(List.of(), repo.listPoints("vm1", e -> { }));
        assertEquals(List.of(), repo.tmpFiles(), "tmp/ is cleaned up");
        assertEquals(List.of(), repo.packFiles(), "the unsealed pack is discarded");
        // and the repository still works
        final BackupResult r = Backups.backup(repo, "vm1", dir.resolve("d.img"));
        assertEquals("full", r.type());
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldDiscardThePointWhenPublishingTheLastPackFails() throws Exception {
        final DiskImage disk = mixed(20, K64);
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        // a file in place of every packs/xx/ directory: sealing works, the rename into packs/xx/ cannot
        for (int i = 0; i < 256; i++) {
            Files.createFile(repo.dir().resolve(Repository.PACKS).resolve(String.format("%02x", i)));
        }
        try (FileBlockSource source = FileBlockSource.open(disk.writeDense(dir.resolve("d.img")))) {
            assertThrows(IOException.class, () -> new BackupJob(repo, "vm1", Progress.NONE, w -> { }).run(source));
        }
        assertEquals(List.of(), repo.listPoints("vm1", e -> { }));
        assertEquals(List.of(), repo.tmpFiles().stream().filter(p -> p.toString().endsWith(".point.tmp")).toList(),
                "the point being written is closed and removed (a sealed pack may stay: FORMAT.md section 6)");
    }

    @Test
    void shouldFailWhenSourceShrinksDuringTheBackup() throws Exception {
        final DiskImage disk = mixed(40, K64);
        final Path image = disk.writeDense(dir.resolve("d.img"));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        try (FileBlockSource source = FileBlockSource.open(image)) {
            try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
                raf.setLength(20L * K64); // the disk loses its second half after the source was opened
            }
            final IOException e = assertThrows(IOException.class,
                    () -> new BackupJob(repo, "vm1", Progress.NONE, w -> { }).run(source));
            assertTrue(e.getMessage().contains("shrank"), e.getMessage());
        }
        assertEquals(List.of(), repo.listPoints("vm1", x -> { }), "no point that silently records zeros");
        assertEquals(List.of(), repo.tmpFiles());
    }

    @Test
    void shouldStoreBlocksAgainWhenTheirPackIsDamaged() throws Exception {
        final DiskImage disk = mixed(30, K64);
        final Path image = disk.writeDense(dir.resolve("d.img"));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult first = Backups.backup(repo, "vm1", image);
        final Path pack = repo.packFiles().getFirst();
        try (RandomAccessFile raf = new RandomAccessFile(pack.toFile(), "rw")) {
            raf.seek(raf.length() - PackLayout.TRAILER_LENGTH + 1); // the trailer's CRC no longer matches
            raf.write(raf.read() ^ 0xFF);
        }
        final List<String> warnings = new ArrayList<>();

        final BackupResult second;
        try (FileBlockSource source = FileBlockSource.open(image)) {
            second = new BackupJob(repo, "vm1", Progress.NONE, warnings::add).run(source);
        }

        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains(pack.getFileName().toString()), warnings.getFirst());
        assertEquals(0, second.blocksChanged(), "the disk did not change");
        assertEquals(first.blocksNew(), second.blocksNew(), "but every block of the damaged pack is stored again");
        for (BackupResult point : List.of(second, first)) { // the first point's blocks are in the new pack now
            final Path target = dir.resolve("restored-" + point.id());
            final List<String> restoreWarnings = new ArrayList<>();
            new RestoreJob(repo, Progress.NONE, restoreWarnings::add).run(Backups.point(repo, "vm1", point.id()),
                    target, false);
            assertEquals(1, restoreWarnings.size(), "the damaged pack is skipped: " + restoreWarnings);
            assertArrayEquals(disk.bytes(), Files.readAllBytes(target));
        }
    }

    /** Delegates to a source and throws once reads reach an offset. */
    private static final class FailingSource implements BlockSource {
        private final BlockSource delegate;
        private final long failAt;
        private final IOException failure;

        FailingSource(final BlockSource delegate, final long failAt, final IOException failure) {
            this.delegate = delegate;
            this.failAt = failAt;
            this.failure = failure;
        }

        @Override
        public long size() {
            return delegate.size();
        }

        @Override
        public String describe() {
            return "failing " + delegate.describe();
        }

        @Override
        public String identity() {
            return delegate.identity();
        }

        @Override
        public long nextData(final long offset) throws IOException {
            return delegate.nextData(offset);
        }

        @Override
        public long nextHole(final long offset) throws IOException {
            return delegate.nextHole(offset);
        }

        @Override
        public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
            if (offset >= failAt) {
                throw failure;
            }
            delegate.read(dst, offset, length);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
