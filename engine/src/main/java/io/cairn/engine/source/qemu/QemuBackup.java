package io.cairn.engine.source.qemu;

import io.cairn.engine.backup.BackupResult;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.nbd.QmpClient;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A backup of a block node of a running QEMU through its QMP socket: connect, set up the frozen view
 * ({@link FleecingSession}), let the caller run the backup job on it ({@link QemuBackupSource}), mark the session
 * published once the job has returned (the restore point is durable then), and tear down. Failures of the
 * tear-down after a published point become warnings: the point is good, and the next run cleans up.
 */
public final class QemuBackup {
    /** Runs the backup job on a source. */
    public interface Job {
        BackupResult run(BlockSource source) throws IOException;
    }

    private QemuBackup() {
    }

    /**
     * @param nbdServer the QEMU's running NBD server, or null to let Cairn start (and stop) a private one
     * @param tmpDir    where the overlay file and a private server's socket go
     */
    public static BackupResult run(final Repository repo, final String disk, final Path qmpSocket, final String node,
                                   final NbdServerAddress nbdServer, final Path tmpDir, final Duration nbdTimeout,
                                   final Consumer<String> warnings, final Job job) throws IOException {
        final PointInfo latest = repo.latestPoint(disk, e -> { }); // the job reports damaged points
        final QemuNames names = QemuNames.of(disk, qmpSocket, node, tmpDir);
        try (QmpClient qmp = QmpClient.connect(qmpSocket)) {
            final FleecingSession session = FleecingSession.open(qmp, names, latest, nbdServer, warnings);
            final BackupResult result;
            try {
                try (QemuBackupSource source = QemuBackupSource.open(session, qmpSocket, nbdTimeout)) {
                    result = job.run(source);
                }
                session.published();
            } catch (IOException | RuntimeException e) {
                try {
                    session.close();
                } catch (IOException | RuntimeException c) {
                    e.addSuppressed(c);
                }
                throw e;
            }
            try {
                session.close();
            } catch (IOException | RuntimeException e) {
                warnings.accept("restore point " + result.id() + " is complete, but cleaning up in QEMU failed ("
                        + e.getMessage() + "); the next backup of this node cleans up");
            }
            return result;
        }
    }
}
