package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.VssSnapshotProperties;

import java.io.IOException;
import java.util.UUID;

/**
 * The IVssBackupComponents calls a snapshot needs, as an interface so that {@link VssSnapshotSet}'s ordering and
 * clean-up run against a test double. Each method is one COM call (asynchronous ones include waiting for their
 * IVssAsync); slot numbers in windows-hyperv.md 2.3. The real implementation is {@link ComVssApi}.
 */
public interface VssApi {
    /** InitializeForBackup(NULL). */
    void initializeForBackup() throws IOException;

    /** SetContext(context). */
    void setContext(int context) throws IOException;

    /** SetBackupState(selectComponents, bootableSystemState, backupType, partialFileSupport). */
    void setBackupState(boolean selectComponents, boolean bootableSystemState, int backupType,
                        boolean partialFileSupport) throws IOException;

    /** GatherWriterMetadata, waited for. */
    void gatherWriterMetadata() throws IOException;

    /** StartSnapshotSet; returns the set id. */
    UUID startSnapshotSet() throws IOException;

    /** AddToSnapshotSet(volume, default provider); returns the snapshot id. */
    UUID addToSnapshotSet(String volume) throws IOException;

    /** PrepareForBackup, waited for. */
    void prepareForBackup() throws IOException;

    /** DoSnapshotSet, waited for. */
    void doSnapshotSet() throws IOException;

    /** GetSnapshotProperties, copied out and freed. */
    VssSnapshotProperties snapshotProperties(UUID snapshotId) throws IOException;

    /** BackupComplete, waited for. */
    void backupComplete() throws IOException;

    /** AbortBackup. */
    void abortBackup() throws IOException;

    /** DeleteSnapshots(setId, VSS_OBJECT_SNAPSHOT_SET, force); returns how many were deleted. */
    int deleteSnapshotSet(UUID snapshotSetId) throws IOException;

    /** IUnknown::Release of the backup components object. */
    void release();
}
