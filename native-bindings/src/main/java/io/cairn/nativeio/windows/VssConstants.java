package io.cairn.nativeio.windows;

import java.util.UUID;

/**
 * VSS vtable slots and constants (windows-hyperv.md section 2). Slots count IUnknown's QueryInterface 0, AddRef 1,
 * Release 2; the IVssBackupComponents order is WINE-VSB's, the slots the bindings call were re-checked against the
 * mingw-w64 headers [mingw-check]. VssConstantsTest repeats every number from the document.
 */
public final class VssConstants {
    /** IUnknown::Release. */
    public static final int SLOT_RELEASE = 2;

    /** IVssBackupComponents::InitializeForBackup(BSTR xml). */
    public static final int SLOT_INITIALIZE_FOR_BACKUP = 5;
    /** IVssBackupComponents::SetBackupState(bool, bool, VSS_BACKUP_TYPE, bool). */
    public static final int SLOT_SET_BACKUP_STATE = 6;
    /** IVssBackupComponents::GatherWriterMetadata(IVssAsync**). */
    public static final int SLOT_GATHER_WRITER_METADATA = 9;
    /** IVssBackupComponents::FreeWriterMetadata(). */
    public static final int SLOT_FREE_WRITER_METADATA = 12;
    /** IVssBackupComponents::PrepareForBackup(IVssAsync**). */
    public static final int SLOT_PREPARE_FOR_BACKUP = 14;
    /** IVssBackupComponents::AbortBackup(). */
    public static final int SLOT_ABORT_BACKUP = 15;
    /** IVssBackupComponents::GatherWriterStatus(IVssAsync**). */
    public static final int SLOT_GATHER_WRITER_STATUS = 16;
    /** IVssBackupComponents::BackupComplete(IVssAsync**). */
    public static final int SLOT_BACKUP_COMPLETE = 27;
    /** IVssBackupComponents::SetContext(LONG). */
    public static final int SLOT_SET_CONTEXT = 35;
    /** IVssBackupComponents::StartSnapshotSet(VSS_ID*). */
    public static final int SLOT_START_SNAPSHOT_SET = 36;
    /** IVssBackupComponents::AddToSnapshotSet(VSS_PWSZ, VSS_ID, VSS_ID*). */
    public static final int SLOT_ADD_TO_SNAPSHOT_SET = 37;
    /** IVssBackupComponents::DoSnapshotSet(IVssAsync**). */
    public static final int SLOT_DO_SNAPSHOT_SET = 38;
    /** IVssBackupComponents::DeleteSnapshots(VSS_ID, VSS_OBJECT_TYPE, BOOL, LONG*, VSS_ID*). */
    public static final int SLOT_DELETE_SNAPSHOTS = 39;
    /** IVssBackupComponents::GetSnapshotProperties(VSS_ID, VSS_SNAPSHOT_PROP*). */
    public static final int SLOT_GET_SNAPSHOT_PROPERTIES = 42;
    /** IVssBackupComponents::QueryRevertStatus: the last slot the document checked. */
    public static final int SLOT_QUERY_REVERT_STATUS = 50;

    /** IVssAsync::Cancel(). */
    public static final int ASYNC_SLOT_CANCEL = 3;
    /** IVssAsync::Wait(DWORD ms). */
    public static final int ASYNC_SLOT_WAIT = 4;
    /** IVssAsync::QueryStatus(HRESULT*, INT*). */
    public static final int ASYNC_SLOT_QUERY_STATUS = 5;
    /** Wait forever (INFINITE). */
    public static final int INFINITE = 0xFFFF_FFFF;

    /** IID_IVssBackupComponents. */
    public static final UUID IID_IVSS_BACKUP_COMPONENTS = UUID.fromString("665C1D5F-C218-414D-A05D-7FEF5F9D5C86");
    /** IID_IVssAsync. */
    public static final UUID IID_IVSS_ASYNC = UUID.fromString("507C37B4-CF5B-4E95-B0AF-14EB9767467E");
    /** The Hyper-V VSS writer (DOC-HVVSS). */
    public static final UUID HYPER_V_WRITER_ID = UUID.fromString("66841cd4-6ded-4f4b-8f17-fd23f8ddc3de");

    /** VSS_CTX_BACKUP: the default, non-persistent context. */
    public static final int VSS_CTX_BACKUP = 0x0;
    /** VSS_CTX_FILE_SHARE_BACKUP (no writers). */
    public static final int VSS_CTX_FILE_SHARE_BACKUP = 0x10;
    /** VSS_CTX_APP_ROLLBACK. */
    public static final int VSS_CTX_APP_ROLLBACK = 0x9;
    /** VSS_CTX_CLIENT_ACCESSIBLE. */
    public static final int VSS_CTX_CLIENT_ACCESSIBLE = 0x1D;
    /** VSS_VOLSNAP_ATTR_PERSISTENT. */
    public static final int VSS_VOLSNAP_ATTR_PERSISTENT = 0x1;
    /** VSS_VOLSNAP_ATTR_NO_WRITERS: GatherWriterMetadata and PrepareForBackup are skipped with it. */
    public static final int VSS_VOLSNAP_ATTR_NO_WRITERS = 0x10;

    /** VSS_BT_FULL. */
    public static final int VSS_BT_FULL = 1;
    /** VSS_BT_INCREMENTAL. */
    public static final int VSS_BT_INCREMENTAL = 2;
    /** VSS_BT_COPY: leaves the applications' backup history alone. */
    public static final int VSS_BT_COPY = 5;

    /** VSS_OBJECT_SNAPSHOT_SET. */
    public static final int VSS_OBJECT_SNAPSHOT_SET = 2;
    /** VSS_OBJECT_SNAPSHOT. */
    public static final int VSS_OBJECT_SNAPSHOT = 3;

    /** VSS_SS_CREATED. */
    public static final int VSS_SS_CREATED = 12;

    /** CoInitializeEx: COINIT_MULTITHREADED. */
    public static final int COINIT_MULTITHREADED = 0;
    /** CoInitializeSecurity: RPC_C_AUTHN_LEVEL_PKT_PRIVACY. */
    public static final int RPC_C_AUTHN_LEVEL_PKT_PRIVACY = 6;
    /** CoInitializeSecurity: RPC_C_IMP_LEVEL_IMPERSONATE. */
    public static final int RPC_C_IMP_LEVEL_IMPERSONATE = 3;
    /** CoInitializeSecurity: EOAC_DYNAMIC_CLOAKING. */
    public static final int EOAC_DYNAMIC_CLOAKING = 0x40;

    private VssConstants() {
    }
}
