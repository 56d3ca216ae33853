package io.cairn.engine;

import io.cairn.engine.backup.BackupJob;
import io.cairn.engine.backup.BackupResult;
import io.cairn.engine.restore.RestoreJob;
import io.cairn.engine.restore.RestoreResult;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackReader;
import io.cairn.format.point.PointReader;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Backup and restore through the public engine API, as the CLI does it, for round-trip tests. Any warning the
 * engine reports (damaged pack or point) fails the test: the repositories here are never damaged unless a test
 * damages them on purpose, and those tests call the jobs directly.
 */
public final class Backups {
    private Backups() {
    }

    /** A new repository in {@code dir} (which must not exist or be empty). */
    public static Repository init(final Path dir, final int blockSize, final String compression) throws IOException {
        return Repository.init(dir, RepositoryConfig.create(blockSize, compression, 1));
    }

    public static BackupResult backup(final Repository repo, final String disk, final Path image) throws IOException {
        return backup(repo, disk, image, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public static BackupResult backup(final Repository repo, final String disk, final Path image, final int workers)
            throws IOException {
        final List<String> warnings = new ArrayList<>();
        final BackupResult r;
        try (FileBlockSource source = FileBlockSource.open(image)) {
            r = new BackupJob(repo, disk, Progress.NONE, warnings::add, workers).run(source);
        }
        assertEquals(List.of(), warnings, "backup warnings");
        return r;
    }

    /** Restores a point to a new file (or a device) at target. */
    public static RestoreResult restore(final Repository repo, final String disk, final String pointId,
                                        final Path target) throws IOException {
        final List<String> warnings = new ArrayList<>();
        final RestoreResult r = new RestoreJob(repo, Progress.NONE, warnings::add).run(point(repo, disk, pointId),
                target, false);
        assertEquals(List.of(), warnings, "restore warnings");
        return r;
    }

    public static PointInfo point(final Repository repo, final String disk, final String pointId) throws IOException {
        final PointInfo info = repo.findPoint(disk, pointId);
        assertNotNull(info, "restore point " + pointId + " of disk " + disk);
        return info;
    }

    /** The first {@code length} bytes of a file or device; EOFException when it is shorter. */
    public static byte[] read(final Path path, final int length) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    break;
                }
            }
        }
        if (b.hasRemaining()) {
            throw new EOFException(path + " holds " + b.position() + " bytes, fewer than " + length);
        }
        return b.array();
    }

    /**
     * Flips one stored byte of the record that holds block {@code block} of the point, so that its data CRC fails
     * (damage as verify finds it; for healing tests).
     */
    public static void flipStoredByte(final Repository repo, final String disk, final String pointId,
                                      final long block) throws IOException {
        final long hi;
        final long lo;
        try (PointReader p = PointReader.open(repo.findPoint(disk, pointId).path())) {
            hi = p.idHi(block);
            lo = p.idLo(block);
        }
        for (Path pack : repo.packFiles()) {
            try (PackReader r = PackReader.open(pack)) {
                for (int i = 0; i < r.recordCount(); i++) {
                    if (r.idHi(i) == hi && r.idLo(i) == lo) {
                        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
                            final long at = r.recordOffset(i) + BlockRecordLayout.HEADER_LENGTH + 3;
                            f.seek(at);
                            final int b = f.read();
                            f.seek(at);
                            f.write(b ^ 0x5a);
                        }
                        return;
                    }
                }
            }
        }
        fail("no record holds block " + block);
    }
}
