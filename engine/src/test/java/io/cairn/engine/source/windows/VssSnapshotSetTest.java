package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.VssConstants;
import io.cairn.nativeio.windows.VssSnapshotProperties;
import io.cairn.nativeio.windows.WindowsCallException;
import io.cairn.nativeio.windows.WindowsErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The VSS call order and clean-up, against a fake requester that records every call and can fail any of them. */
class VssSnapshotSetTest {
    private static final UUID SET = UUID.fromString("11111111-2222-3333-4444-555555555555");

    /** Records calls as names; throws a VSS HRESULT from the methods named in {@code failing}. */
    static class RecordingVssApi implements VssApi {
        final List<String> calls = new ArrayList<>();
        final Set<String> failing;
        int snapshots;

        RecordingVssApi(final String... failing) {
            this.failing = Set.of(failing);
        }

        private void call(final String name) throws IOException {
            calls.add(name);
            if (failing.contains(name)) {
                throw new WindowsCallException("IVssBackupComponents::" + name, "", WindowsErrors.VSS_E_BAD_STATE);
            }
        }

        @Override
        public void initializeForBackup() throws IOException {
            call("InitializeForBackup");
        }

        @Override
        public void setContext(final int context) throws IOException {
            call("SetContext");
        }

        @Override
        public void setBackupState(final boolean selectComponents, final boolean bootableSystemState,
                                   final int backupType, final boolean partialFileSupport) throws IOException {
            call("SetBackupState(" + selectComponents + "," + bootableSystemState + "," + backupType + ","
                + partialFileSupport + ")");
        }

        @Override
        public void gatherWriterMetadata() throws IOException {
            call("GatherWriterMetadata");
        }

        @Override
        public UUID startSnapshotSet() throws IOException {
            call("StartSnapshotSet");
            return SET;
        }

        @Override
        public UUID addToSnapshotSet(final String volume) throws IOException {
            call("AddToSnapshotSet(" + volume + ")");
            return new UUID(0, ++snapshots);
        }

        @Override
        public void prepareForBackup() throws IOException {
            call("PrepareForBackup");
        }

        @Override
        public void doSnapshotSet() throws IOException {
            call("DoSnapshotSet");
        }

        @Override
        public VssSnapshotProperties snapshotProperties(final UUID snapshotId) throws IOException {
            call("GetSnapshotProperties");
            return new VssSnapshotProperties(snapshotId, SET, snapshots,
                "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy" + snapshotId.getLeastSignificantBits(), null,
                new UUID(0, 0), 0, 0, VssConstants.VSS_SS_CREATED);
        }

        @Override
        public void backupComplete() throws IOException {
            call("BackupComplete");
        }

        @Override
        public void abortBackup() throws IOException {
            call("AbortBackup");
        }

        @Override
        public int deleteSnapshotSet(final UUID snapshotSetId) throws IOException {
            call("DeleteSnapshots(" + (snapshotSetId.equals(SET) ? "set" : snapshotSetId) + ")");
            return snapshots;
        }

        @Override
        public void release() {
            calls.add("Release");
        }
    }

    private static final List<String> TAKE = List.of("InitializeForBackup", "SetBackupState(false,false,5,false)",
        "GatherWriterMetadata", "StartSnapshotSet", "AddToSnapshotSet(C:\\)", "AddToSnapshotSet(D:\\)",
        "PrepareForBackup", "DoSnapshotSet", "GetSnapshotProperties", "GetSnapshotProperties");

    @Test
    void shouldCallFullSequenceInOrderWhenBackupSucceeds() throws Exception {
        final RecordingVssApi api = new RecordingVssApi();
        final VssSnapshotSet set = VssSnapshotSet.take(api, List.of("C:\\", "D:\\"), VssConstants.VSS_CTX_BACKUP,
            VssConstants.VSS_BT_COPY);
        assertEquals(TAKE, api.calls);
        assertEquals(SET, set.snapshotSetId());
        assertEquals("\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy2", set.snapshots().get(1).snapshotDeviceObject());
        set.close();
        final List<String> expected = new ArrayList<>(TAKE);
        expected.addAll(List.of("BackupComplete", "DeleteSnapshots(set)", "Release"));
        assertEquals(expected, api.calls);
        set.close();
        assertEquals(expected, api.calls, "a second close does nothing");
    }

    @Test
    void shouldSkipWriterStepsWhenContextHasNoWriters() throws Exception {
        final RecordingVssApi api = new RecordingVssApi();
        try (VssSnapshotSet set = VssSnapshotSet.take(api, List.of("C:\\"), VssConstants.VSS_CTX_FILE_SHARE_BACKUP,
            VssConstants.VSS_BT_FULL)) {
            assertEquals(List.of("InitializeForBackup", "SetContext", "SetBackupState(false,false,1,false)",
                "StartSnapshotSet", "AddToSnapshotSet(C:\\)", "DoSnapshotSet", "GetSnapshotProperties"), api.calls);
            assertEquals(1, set.snapshots().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"InitializeForBackup", "SetBackupState(false,false,5,false)", "GatherWriterMetadata",
        "StartSnapshotSet", "AddToSnapshotSet(D:\\)", "PrepareForBackup", "DoSnapshotSet", "GetSnapshotProperties"})
    void shouldDeleteStartedSetAndReleaseWhenAStepFails(final String step) {
        final RecordingVssApi api = new RecordingVssApi(step);
        final WindowsCallException e = assertThrows(WindowsCallException.class, () -> VssSnapshotSet.take(api,
            List.of("C:\\", "D:\\"), VssConstants.VSS_CTX_BACKUP, VssConstants.VSS_BT_COPY));
        assertTrue(e.getMessage().contains(step) && e.getMessage().contains("VSS_E_BAD_STATE (0x80042301)"),
            e.getMessage());
        final int failedAt = api.calls.indexOf(step);
        final List<String> cleanup = api.calls.subList(failedAt + 1, api.calls.size());
        final boolean started = TAKE.indexOf(step) > TAKE.indexOf("StartSnapshotSet");
        final boolean initialised = !step.equals("InitializeForBackup");
        final List<String> expected = new ArrayList<>();
        if (initialised) {
            expected.add("AbortBackup");
        }
        if (started) {
            expected.add("DeleteSnapshots(set)");
        }
        expected.add("Release");
        assertEquals(expected, cleanup, "calls after the failing " + step);
    }

    @Test
    void shouldStillReleaseWhenCleanupStepsFailToo() {
        final RecordingVssApi api = new RecordingVssApi("DoSnapshotSet", "AbortBackup", "DeleteSnapshots(set)");
        final WindowsCallException e = assertThrows(WindowsCallException.class, () -> VssSnapshotSet.take(api,
            List.of("C:\\"), VssConstants.VSS_CTX_BACKUP, VssConstants.VSS_BT_COPY));
        assertTrue(e.getMessage().contains("DoSnapshotSet"), e.getMessage());
        assertEquals(2, e.getSuppressed().length, "clean-up errors are kept as suppressed");
        assertEquals("Release", api.calls.get(api.calls.size() - 1));
    }

    @Test
    void shouldDeleteAndReleaseWhenBackupCompleteFails() throws Exception {
        final RecordingVssApi api = new RecordingVssApi("BackupComplete");
        final VssSnapshotSet set = VssSnapshotSet.take(api, List.of("C:\\"), VssConstants.VSS_CTX_BACKUP,
            VssConstants.VSS_BT_COPY);
        final WindowsCallException e = assertThrows(WindowsCallException.class, set::close);
        assertTrue(e.getMessage().contains("BackupComplete"), e.getMessage());
        assertEquals(List.of("BackupComplete", "DeleteSnapshots(set)", "Release"),
            api.calls.subList(api.calls.size() - 3, api.calls.size()));
    }

    @Test
    void shouldAbortDeleteAndReleaseWhenBackupFailedAfterSnapshot() throws Exception {
        final RecordingVssApi api = new RecordingVssApi();
        final VssSnapshotSet set = VssSnapshotSet.take(api, List.of("C:\\"), VssConstants.VSS_CTX_BACKUP,
            VssConstants.VSS_BT_COPY);
        set.abort();
        assertEquals(List.of("AbortBackup", "DeleteSnapshots(set)", "Release"),
            api.calls.subList(api.calls.size() - 3, api.calls.size()));
        assertTrue(!api.calls.contains("BackupComplete"));
    }

    @Test
    void shouldRethrowSameExceptionWhenRuntimeFailureHappensMidway() {
        final IllegalStateException boom = new IllegalStateException("closed arena");
        final RecordingVssApi api = new RecordingVssApi() {
            @Override
            public void prepareForBackup() {
                calls.add("PrepareForBackup");
                throw boom;
            }
        };
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> VssSnapshotSet.take(api,
            List.of("C:\\"), VssConstants.VSS_CTX_BACKUP, VssConstants.VSS_BT_COPY));
        assertSame(boom, e);
        assertEquals(List.of("AbortBackup", "DeleteSnapshots(set)", "Release"),
            api.calls.subList(api.calls.size() - 3, api.calls.size()));
    }
}
