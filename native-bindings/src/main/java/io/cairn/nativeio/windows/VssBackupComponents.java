package io.cairn.nativeio.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.UUID;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An {@code IVssBackupComponents} requester object, called through its COM vtable (slots: {@link VssConstants},
 * windows-hyperv.md 2.3). Each method returns normally on a succeeding HRESULT and throws
 * {@link WindowsCallException} naming the method and the HRESULT otherwise. Asynchronous methods
 * (GatherWriterMetadata, PrepareForBackup, DoSnapshotSet, BackupComplete) wait for their {@code IVssAsync}
 * (Wait(INFINITE), then QueryStatus; a failing or cancelled status is the method's error) and release it.
 *
 * <p>The order of calls is the caller's job (see the engine's VSS snapshot sequence, which follows vshadow).
 * {@link #close()} releases the object; with the default non-persistent context the shadow copies go with it.
 *
 * <p>Threads: one platform thread that has called {@link Com#initializeThread()}. Not run on Windows: see the
 * package documentation.
 */
public final class VssBackupComponents implements AutoCloseable {
    private final ComLibrary lib;
    private final Arena arena;
    private final MemorySegment object;
    private boolean released;

    private VssBackupComponents(final ComLibrary lib, final Arena arena, final MemorySegment object) {
        this.lib = lib;
        this.arena = arena;
        this.object = object;
    }

    /** CreateVssBackupComponentsInternal(&amp;p). */
    public static VssBackupComponents create() throws WindowsCallException {
        final ComLibrary lib = ComLibrary.get();
        final Arena arena = Arena.ofConfined();
        try {
            final MemorySegment out = arena.allocate(ADDRESS);
            final int hr = (int) lib.createVssBackupComponents.invokeExact(out);
            check(hr, "CreateVssBackupComponentsInternal", "");
            return new VssBackupComponents(lib, arena, out.get(ADDRESS, 0));
        } catch (final WindowsCallException | RuntimeException | Error e) {
            arena.close();
            throw e;
        } catch (final Throwable t) {
            arena.close();
            throw WindowsLibraries.unexpected(t);
        }
    }

    /** InitializeForBackup(NULL): a new backup (slot 5). */
    public void initializeForBackup() throws WindowsCallException {
        check(invokePointer(VssConstants.SLOT_INITIALIZE_FOR_BACKUP, MemorySegment.NULL), "InitializeForBackup", "");
    }

    /** SetContext(context) (slot 35); must follow InitializeForBackup. */
    public void setContext(final int context) throws WindowsCallException {
        final int hr;
        try {
            hr = (int) lib.callInt.invokeExact(fn(VssConstants.SLOT_SET_CONTEXT), object, context);
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
        check(hr, "SetContext", "context=" + WindowsErrors.hex(context));
    }

    /** SetBackupState (slot 6); the three flags are C++ {@code bool}. */
    public void setBackupState(final boolean selectComponents, final boolean bootableSystemState,
                               final int backupType, final boolean partialFileSupport) throws WindowsCallException {
        final int hr;
        try {
            hr = (int) lib.setBackupState.invokeExact(fn(VssConstants.SLOT_SET_BACKUP_STATE), object,
                selectComponents, bootableSystemState, backupType, partialFileSupport);
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
        check(hr, "SetBackupState", "selectComponents=" + selectComponents + ", backupType=" + backupType);
    }

    /** GatherWriterMetadata (slot 9), waited for. */
    public void gatherWriterMetadata() throws WindowsCallException {
        runAsync(VssConstants.SLOT_GATHER_WRITER_METADATA, "GatherWriterMetadata");
    }

    /** FreeWriterMetadata (slot 12). */
    public void freeWriterMetadata() throws WindowsCallException {
        check(invokeThis(VssConstants.SLOT_FREE_WRITER_METADATA), "FreeWriterMetadata", "");
    }

    /** StartSnapshotSet (slot 36); returns the new snapshot set id. */
    public UUID startSnapshotSet() throws WindowsCallException {
        final MemorySegment id = arena.allocate(Guids.LAYOUT);
        check(invokePointer(VssConstants.SLOT_START_SNAPSHOT_SET, id), "StartSnapshotSet", "");
        return Guids.read(id, 0);
    }

    /** AddToSnapshotSet(volume, GUID_NULL provider) (slot 37); {@code volume} like {@code C:\}. Returns the id. */
    public UUID addToSnapshotSet(final String volume) throws WindowsCallException {
        final MemorySegment name = WideStrings.allocate(arena, volume);
        final MemorySegment provider = arena.allocate(Guids.LAYOUT);
        Guids.write(Guids.NULL, provider, 0);
        final MemorySegment id = arena.allocate(Guids.LAYOUT);
        final int hr;
        try {
            hr = (int) lib.addToSnapshotSet.invokeExact(fn(VssConstants.SLOT_ADD_TO_SNAPSHOT_SET), object, name,
                provider, id);
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
        check(hr, "AddToSnapshotSet", "volume=" + volume);
        return Guids.read(id, 0);
    }

    /** PrepareForBackup (slot 14), waited for. */
    public void prepareForBackup() throws WindowsCallException {
        runAsync(VssConstants.SLOT_PREPARE_FOR_BACKUP, "PrepareForBackup");
    }

    /** DoSnapshotSet (slot 38), waited for: the shadow copies exist when it returns. */
    public void doSnapshotSet() throws WindowsCallException {
        runAsync(VssConstants.SLOT_DO_SNAPSHOT_SET, "DoSnapshotSet");
    }

    /** GetSnapshotProperties (slot 42), copied out and freed with VssFreeSnapshotPropertiesInternal. */
    public VssSnapshotProperties snapshotProperties(final UUID snapshotId) throws WindowsCallException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment id = scratch.allocate(Guids.LAYOUT);
            Guids.write(snapshotId, id, 0);
            final MemorySegment prop = scratch.allocate(VssLayouts.VSS_SNAPSHOT_PROP);
            final int hr = (int) lib.getSnapshotProperties.invokeExact(
                fn(VssConstants.SLOT_GET_SNAPSHOT_PROPERTIES), object, id, prop);
            check(hr, "GetSnapshotProperties", "snapshot=" + snapshotId);
            try {
                return VssSnapshotProperties.decode(prop);
            } finally {
                lib.vssFreeSnapshotProperties.invokeExact(prop);
            }
        } catch (final WindowsCallException | RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
    }

    /** BackupComplete (slot 27), waited for. */
    public void backupComplete() throws WindowsCallException {
        runAsync(VssConstants.SLOT_BACKUP_COMPLETE, "BackupComplete");
    }

    /** AbortBackup (slot 15): tells the writers the backup failed. */
    public void abortBackup() throws WindowsCallException {
        check(invokeThis(VssConstants.SLOT_ABORT_BACKUP), "AbortBackup", "");
    }

    /**
     * DeleteSnapshots(setId, VSS_OBJECT_SNAPSHOT_SET, bForceDelete TRUE) (slot 39); returns how many were deleted.
     */
    public int deleteSnapshotSet(final UUID snapshotSetId) throws WindowsCallException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment id = scratch.allocate(Guids.LAYOUT);
            Guids.write(snapshotSetId, id, 0);
            final MemorySegment deleted = scratch.allocate(JAVA_INT);
            final MemorySegment nonDeleted = scratch.allocate(Guids.LAYOUT);
            final int hr = (int) lib.deleteSnapshots.invokeExact(fn(VssConstants.SLOT_DELETE_SNAPSHOTS), object, id,
                VssConstants.VSS_OBJECT_SNAPSHOT_SET, 1, deleted, nonDeleted);
            check(hr, "DeleteSnapshots", "set=" + snapshotSetId + ", notDeleted=" + Guids.read(nonDeleted, 0));
            return deleted.get(JAVA_INT, 0);
        } catch (final WindowsCallException | RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
    }

    /** IUnknown::Release (slot 2), once; later calls do nothing. */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            invokeThis(VssConstants.SLOT_RELEASE);
        } finally {
            arena.close();
        }
    }

    /** Throws {@link WindowsCallException} for a failing HRESULT. */
    static void check(final int hr, final String method, final String arguments) throws WindowsCallException {
        if (WindowsErrors.failed(hr)) {
            throw new WindowsCallException("IVssBackupComponents::" + method, arguments, hr);
        }
    }

    private void runAsync(final int slot, final String method) throws WindowsCallException {
        final MemorySegment out = arena.allocate(ADDRESS);
        check(invokePointer(slot, out), method, "");
        final MemorySegment async = out.get(ADDRESS, 0);
        try {
            final int waited = (int) lib.callInt.invokeExact(ComVtable.function(async, VssConstants.ASYNC_SLOT_WAIT),
                async, VssConstants.INFINITE);
            check(waited, method + " IVssAsync::Wait", "");
            final MemorySegment status = arena.allocate(JAVA_INT);
            final int queried = (int) lib.callPointerPointer.invokeExact(
                ComVtable.function(async, VssConstants.ASYNC_SLOT_QUERY_STATUS), async, status, MemorySegment.NULL);
            check(queried, method + " IVssAsync::QueryStatus", "");
            final int result = status.get(JAVA_INT, 0);
            if (WindowsErrors.failed(result) || result == WindowsErrors.VSS_S_ASYNC_CANCELLED) {
                throw new WindowsCallException("IVssBackupComponents::" + method, "async status", result);
            }
        } catch (final WindowsCallException | RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        } finally {
            try {
                final int ignored = (int) lib.callThis.invokeExact(
                    ComVtable.function(async, VssConstants.SLOT_RELEASE), async);
            } catch (final Throwable t) {
                throw WindowsLibraries.unexpected(t);
            }
        }
    }

    private MemorySegment fn(final int slot) {
        if (released) {
            throw new IllegalStateException("IVssBackupComponents already released");
        }
        return ComVtable.function(object, slot);
    }

    private int invokeThis(final int slot) {
        try {
            return (int) lib.callThis.invokeExact(fn(slot), object);
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
    }

    private int invokePointer(final int slot, final MemorySegment argument) {
        try {
            return (int) lib.callPointer.invokeExact(fn(slot), object, argument);
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
    }
}
