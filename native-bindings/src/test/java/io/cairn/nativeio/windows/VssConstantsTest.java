package io.cairn.nativeio.windows;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Vtable slots and VSS/COM constants against windows-hyperv.md sections 2.1-2.4; numbers typed in. */
class VssConstantsTest {
    /** windows-hyperv.md 2.3 table, slots marked * ([mingw-check]), and IUnknown Release = 2 (section 0). */
    @Test
    void shouldMatchDocumentWhenNumberingBackupComponentsSlots() {
        assertEquals(2, VssConstants.SLOT_RELEASE);
        assertEquals(5, VssConstants.SLOT_INITIALIZE_FOR_BACKUP);
        assertEquals(6, VssConstants.SLOT_SET_BACKUP_STATE);
        assertEquals(9, VssConstants.SLOT_GATHER_WRITER_METADATA);
        assertEquals(12, VssConstants.SLOT_FREE_WRITER_METADATA);
        assertEquals(14, VssConstants.SLOT_PREPARE_FOR_BACKUP);
        assertEquals(15, VssConstants.SLOT_ABORT_BACKUP);
        assertEquals(16, VssConstants.SLOT_GATHER_WRITER_STATUS);
        assertEquals(27, VssConstants.SLOT_BACKUP_COMPLETE);
        assertEquals(35, VssConstants.SLOT_SET_CONTEXT);
        assertEquals(36, VssConstants.SLOT_START_SNAPSHOT_SET);
        assertEquals(37, VssConstants.SLOT_ADD_TO_SNAPSHOT_SET);
        assertEquals(38, VssConstants.SLOT_DO_SNAPSHOT_SET);
        assertEquals(39, VssConstants.SLOT_DELETE_SNAPSHOTS);
        assertEquals(42, VssConstants.SLOT_GET_SNAPSHOT_PROPERTIES);
        assertEquals(50, VssConstants.SLOT_QUERY_REVERT_STATUS);
    }

    /** windows-hyperv.md 2.3: IVssAsync Cancel 3, Wait 4, QueryStatus 5; Wait(0xFFFFFFFF). */
    @Test
    void shouldMatchDocumentWhenNumberingAsyncSlots() {
        assertEquals(3, VssConstants.ASYNC_SLOT_CANCEL);
        assertEquals(4, VssConstants.ASYNC_SLOT_WAIT);
        assertEquals(5, VssConstants.ASYNC_SLOT_QUERY_STATUS);
        assertEquals(0xFFFFFFFF, VssConstants.INFINITE);
    }

    /** windows-hyperv.md 2.1 (IIDs), 2.4 (constants), 2.2 (COM security values), DOC-HVVSS writer id. */
    @Test
    void shouldMatchDocumentWhenDefiningVssConstants() {
        assertEquals(UUID.fromString("665C1D5F-C218-414D-A05D-7FEF5F9D5C86"), VssConstants.IID_IVSS_BACKUP_COMPONENTS);
        assertEquals(UUID.fromString("507C37B4-CF5B-4E95-B0AF-14EB9767467E"), VssConstants.IID_IVSS_ASYNC);
        assertEquals(UUID.fromString("66841cd4-6ded-4f4b-8f17-fd23f8ddc3de"), VssConstants.HYPER_V_WRITER_ID);
        assertEquals(0x0, VssConstants.VSS_CTX_BACKUP);
        assertEquals(0x10, VssConstants.VSS_CTX_FILE_SHARE_BACKUP);
        assertEquals(0x9, VssConstants.VSS_CTX_APP_ROLLBACK);
        assertEquals(0x1D, VssConstants.VSS_CTX_CLIENT_ACCESSIBLE);
        assertEquals(0x1, VssConstants.VSS_VOLSNAP_ATTR_PERSISTENT);
        assertEquals(0x10, VssConstants.VSS_VOLSNAP_ATTR_NO_WRITERS);
        assertEquals(1, VssConstants.VSS_BT_FULL);
        assertEquals(2, VssConstants.VSS_BT_INCREMENTAL);
        assertEquals(5, VssConstants.VSS_BT_COPY);
        assertEquals(2, VssConstants.VSS_OBJECT_SNAPSHOT_SET);
        assertEquals(3, VssConstants.VSS_OBJECT_SNAPSHOT);
        assertEquals(12, VssConstants.VSS_SS_CREATED);
        assertEquals(0, VssConstants.COINIT_MULTITHREADED);
        assertEquals(6, VssConstants.RPC_C_AUTHN_LEVEL_PKT_PRIVACY);
        assertEquals(3, VssConstants.RPC_C_IMP_LEVEL_IMPERSONATE);
        assertEquals(0x40, VssConstants.EOAC_DYNAMIC_CLOAKING);
    }

    /** windows-hyperv.md 2.3 (async status), 2.2 (RPC_E_*), 2.4 HRESULT table, 1.4 virtdisk codes. */
    @Test
    void shouldMatchDocumentWhenDefiningErrorCodes() {
        assertEquals(0x0004230A, WindowsErrors.VSS_S_ASYNC_FINISHED);
        assertEquals(0x00042309, WindowsErrors.VSS_S_ASYNC_PENDING);
        assertEquals(0x0004230B, WindowsErrors.VSS_S_ASYNC_CANCELLED);
        assertEquals(0x80010119, WindowsErrors.RPC_E_TOO_LATE);
        assertEquals(0x80010106, WindowsErrors.RPC_E_CHANGED_MODE);
        assertEquals(0x80042301, WindowsErrors.VSS_E_BAD_STATE);
        assertEquals(0x80042308, WindowsErrors.VSS_E_OBJECT_NOT_FOUND);
        assertEquals(0x80042316, WindowsErrors.VSS_E_SNAPSHOT_SET_IN_PROGRESS);
        assertEquals(6, WindowsErrors.ERROR_INVALID_HANDLE);
        assertEquals(87, WindowsErrors.ERROR_INVALID_PARAMETER);
        assertEquals(122, WindowsErrors.ERROR_INSUFFICIENT_BUFFER);
        assertEquals(234, WindowsErrors.ERROR_MORE_DATA);
        assertEquals(997, WindowsErrors.ERROR_IO_PENDING);
        assertEquals(1392, WindowsErrors.ERROR_FILE_CORRUPT);
        assertEquals(0xC03A0029, WindowsErrors.ERROR_VHD_INVALID_CHANGE_TRACKING_ID);
        assertEquals(0xC03A002A, WindowsErrors.ERROR_VHD_CHANGE_TRACKING_DISABLED);
        assertEquals(0xC03A0030, WindowsErrors.ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION);
        assertEquals("VSS_E_INSUFFICIENT_STORAGE", WindowsErrors.name(0x8004231F));
        assertEquals("VSS_E_WRITERERROR_NONRETRYABLE", WindowsErrors.name(0x800423F4));
        assertEquals("VSS_E_UNSUPPORTED_CONTEXT", WindowsErrors.name(0x8004231B));
    }
}
