package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.Com;
import io.cairn.nativeio.windows.VssBackupComponents;
import io.cairn.nativeio.windows.VssSnapshotProperties;

import java.io.IOException;
import java.util.UUID;

/**
 * {@link VssApi} over {@code io.cairn.nativeio.windows.VssBackupComponents}. {@link #create()} initialises COM on
 * the calling thread (multithreaded apartment, process security as vshadow sets it) and creates the object; every
 * later call must come from the same platform thread, and {@link #release()} uninitialises COM on it.
 * On Linux {@link #create()} throws UnsupportedOperationException with the reason. Not run on Windows.
 */
public final class ComVssApi implements VssApi {
    private final VssBackupComponents components;

    private ComVssApi(final VssBackupComponents components) {
        this.components = components;
    }

    /** COM set-up on this thread, then CreateVssBackupComponentsInternal. */
    public static ComVssApi create() throws IOException {
        Com.initializeThread();
        try {
            Com.initializeSecurity();
            return new ComVssApi(VssBackupComponents.create());
        } catch (final IOException | RuntimeException e) {
            Com.uninitializeThread();
            throw e;
        }
    }

    @Override
    public void initializeForBackup() throws IOException {
        components.initializeForBackup();
    }

    @Override
    public void setContext(final int context) throws IOException {
        components.setContext(context);
    }

    @Override
    public void setBackupState(final boolean selectComponents, final boolean bootableSystemState,
                               final int backupType, final boolean partialFileSupport) throws IOException {
        components.setBackupState(selectComponents, bootableSystemState, backupType, partialFileSupport);
    }

    @Override
    public void gatherWriterMetadata() throws IOException {
        components.gatherWriterMetadata();
    }

    @Override
    public UUID startSnapshotSet() throws IOException {
        return components.startSnapshotSet();
    }

    @Override
    public UUID addToSnapshotSet(final String volume) throws IOException {
        return components.addToSnapshotSet(volume);
    }

    @Override
    public void prepareForBackup() throws IOException {
        components.prepareForBackup();
    }

    @Override
    public void doSnapshotSet() throws IOException {
        components.doSnapshotSet();
    }

    @Override
    public VssSnapshotProperties snapshotProperties(final UUID snapshotId) throws IOException {
        return components.snapshotProperties(snapshotId);
    }

    @Override
    public void backupComplete() throws IOException {
        components.backupComplete();
    }

    @Override
    public void abortBackup() throws IOException {
        components.abortBackup();
    }

    @Override
    public int deleteSnapshotSet(final UUID snapshotSetId) throws IOException {
        return components.deleteSnapshotSet(snapshotSetId);
    }

    @Override
    public void release() {
        try {
            components.close();
        } finally {
            Com.uninitializeThread();
        }
    }
}
