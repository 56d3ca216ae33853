package io.cairn.nativeio.windows;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HRESULT and Win32 code formatting: the name and eight hex digits in every message. */
class ErrorFormattingTest {
    @Test
    void shouldNameCallAndCodeWhenVssMethodFails() {
        final WindowsCallException e = new WindowsCallException("IVssBackupComponents::DoSnapshotSet", "",
            0x80042316);
        assertEquals("IVssBackupComponents::DoSnapshotSet() failed: VSS_E_SNAPSHOT_SET_IN_PROGRESS (0x80042316)",
            e.getMessage());
        assertEquals("VSS_E_SNAPSHOT_SET_IN_PROGRESS", e.codeName());
        assertEquals(0x80042316, e.code());
        assertFalse(e.isChangeTrackingBaseLost());
    }

    @Test
    void shouldFormatUnknownAndSmallCodesWithEightHexDigits() {
        assertEquals("UNKNOWN (0x8007000E)", WindowsErrors.describe(0x8007000E));
        assertEquals("ERROR_INSUFFICIENT_BUFFER (0x0000007A)", WindowsErrors.describe(122));
        assertEquals("0x00000000", WindowsErrors.hex(0));
    }

    @Test
    void shouldFlagBaseLostWhenRctIdIsUnknownInvalidOrTrackingDisabled() {
        for (final int code : new int[] {0xC03A0029, 0xC03A002A, 0xC03A0030}) {
            final WindowsCallException e = new WindowsCallException("QueryChangesVirtualDisk", "d.avhdx", code);
            assertTrue(e.isChangeTrackingBaseLost(), e.getMessage());
            assertTrue(e.getMessage().startsWith("QueryChangesVirtualDisk(d.avhdx) failed: ERROR_VHD_"), e.getMessage());
        }
        assertFalse(WindowsErrors.isChangeTrackingBaseLost(87));
    }

    @Test
    void shouldTreatNegativeHresultsAsFailuresWhenChecking() {
        assertTrue(WindowsErrors.failed(0x80042301));
        assertFalse(WindowsErrors.failed(0));
        assertFalse(WindowsErrors.failed(WindowsErrors.VSS_S_ASYNC_FINISHED));
        assertFalse(WindowsErrors.failed(1), "S_FALSE is success");
    }
}
