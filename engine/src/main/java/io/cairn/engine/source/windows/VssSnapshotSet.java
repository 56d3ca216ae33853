package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.VssConstants;
import io.cairn.nativeio.windows.VssSnapshotProperties;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A VSS snapshot set of one or more volumes, taken in vshadow's order (windows-hyperv.md 2.4) and always cleaned
 * up: the snapshot set is deleted and the requester released whether the sequence, the backup or the completion
 * fails.
 *
 * <pre>
 * take:   InitializeForBackup -> [SetContext if not VSS_CTX_BACKUP] -> SetBackupState(false, false, type, false)
 *         -> [GatherWriterMetadata unless NO_WRITERS] -> StartSnapshotSet -> AddToSnapshotSet per volume
 *         -> [PrepareForBackup unless NO_WRITERS] -> DoSnapshotSet -> GetSnapshotProperties per snapshot
 * close:  BackupComplete -> DeleteSnapshots(set) -> Release
 * abort:  AbortBackup -> DeleteSnapshots(set) -> Release
 * failure during take: AbortBackup -> DeleteSnapshots(set, if started) -> Release, then the first error is thrown
 * </pre>
 * Clean-up steps run even when an earlier one throws; their errors are added as suppressed to the first.
 * No components are selected (SetBackupState's first argument is false), so SetBackupSucceeded is not called.
 *
 * <p>Threads: the thread that took the set (COM apartment rules). Not run on Windows: see the package
 * documentation.
 */
public final class VssSnapshotSet implements AutoCloseable {
    private final VssApi api;
    private final UUID snapshotSetId;
    private final List<VssSnapshotProperties> snapshots;
    private boolean closed;

    private VssSnapshotSet(final VssApi api, final UUID snapshotSetId, final List<VssSnapshotProperties> snapshots) {
        this.api = api;
        this.snapshotSetId = snapshotSetId;
        this.snapshots = snapshots;
    }

    /**
     * Takes a snapshot of {@code volumes} (e.g. {@code C:\} or {@code \\?\Volume{...}\}) with the given context
     * ({@link VssConstants#VSS_CTX_BACKUP} normally) and backup type ({@link VssConstants#VSS_BT_COPY} leaves the
     * applications' backup history alone). On failure everything taken so far is undone before the error is thrown.
     */
    public static VssSnapshotSet take(final VssApi api, final List<String> volumes, final int context,
                                      final int backupType) throws IOException {
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("a snapshot set needs at least one volume");
        }
        final boolean writers = (context & VssConstants.VSS_VOLSNAP_ATTR_NO_WRITERS) == 0;
        UUID setId = null;
        boolean initialised = false;
        try {
            api.initializeForBackup();
            initialised = true;
            if (context != VssConstants.VSS_CTX_BACKUP) {
                api.setContext(context);
            }
            api.setBackupState(false, false, backupType, false);
            if (writers) {
                api.gatherWriterMetadata();
            }
            setId = api.startSnapshotSet();
            final List<UUID> ids = new ArrayList<>(volumes.size());
            for (final String volume : volumes) {
                ids.add(api.addToSnapshotSet(volume));
            }
            if (writers) {
                api.prepareForBackup();
            }
            api.doSnapshotSet();
            final List<VssSnapshotProperties> snapshots = new ArrayList<>(ids.size());
            for (final UUID id : ids) {
                snapshots.add(api.snapshotProperties(id));
            }
            return new VssSnapshotSet(api, setId, List.copyOf(snapshots));
        } catch (final IOException | RuntimeException e) {
            if (initialised) {
                attempt(e, api::abortBackup);
            }
            if (setId != null) {
                final UUID started = setId;
                attempt(e, () -> api.deleteSnapshotSet(started));
            }
            attempt(e, api::release);
            throw e;
        }
    }

    /** The snapshot set id. */
    public UUID snapshotSetId() {
        return snapshotSetId;
    }

    /** One entry per volume, in the order given; read from {@link VssSnapshotProperties#snapshotDeviceObject()}. */
    public List<VssSnapshotProperties> snapshots() {
        return snapshots;
    }

    /** The backup succeeded: BackupComplete, DeleteSnapshots, Release (each attempted; first error thrown). */
    @Override
    public void close() throws IOException {
        finish(true);
    }

    /** The backup failed: AbortBackup, DeleteSnapshots, Release (each attempted; first error thrown). */
    public void abort() throws IOException {
        finish(false);
    }

    private void finish(final boolean succeeded) throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        final IOException failure = new IOException("VSS snapshot set " + snapshotSetId + " clean-up failed");
        if (succeeded) {
            attempt(failure, api::backupComplete);
        } else {
            attempt(failure, api::abortBackup);
        }
        attempt(failure, () -> api.deleteSnapshotSet(snapshotSetId));
        attempt(failure, api::release);
        final Throwable[] errors = failure.getSuppressed();
        if (errors.length > 0) {
            final IOException first = errors[0] instanceof IOException io ? io : new IOException(errors[0]);
            for (int i = 1; i < errors.length; i++) {
                first.addSuppressed(errors[i]);
            }
            throw first;
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    private static void attempt(final Throwable collector, final Step step) {
        try {
            step.run();
        } catch (final IOException | RuntimeException e) {
            collector.addSuppressed(e);
        }
    }
}
