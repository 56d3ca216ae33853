package io.cairn.nativeio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrnoTest {
    @Test
    void shouldGiveSymbolicNamesWhenNumbersAreKnown() {
        assertEquals("EIO", Errno.name(Errno.EIO));
        assertEquals("ENOSPC", Errno.name(28));
        assertEquals("EDQUOT", Errno.name(122));
        assertEquals("EOPNOTSUPP", Errno.name(95));
        assertEquals("EHWPOISON", Errno.name(133));
        assertEquals("errno 0", Errno.name(0));
        assertEquals("errno 41", Errno.name(41));
        assertEquals("errno 9999", Errno.name(9999));
    }

    @Test
    void shouldDescribeLikeStrerrorWhenNativeAccessIsEnabled() {
        assertTrue(NativeAccess.available(), NativeAccess.unavailableReason());
        assertEquals("Input/output error", Errno.describe(Errno.EIO));
        assertEquals("No such file or directory", Errno.describe(Errno.ENOENT));
        assertEquals("Disk quota exceeded", Errno.describe(Errno.EDQUOT));
        assertEquals("Unknown error 9999", Errno.describe(9999));
    }

    @Test
    void shouldTreatOnlyEnospcAndEdquotAsStorageFullWhenClassifying() {
        assertTrue(Errno.isStorageFull(Errno.ENOSPC));
        assertTrue(Errno.isStorageFull(Errno.EDQUOT));
        assertFalse(Errno.isStorageFull(Errno.EIO));
        assertFalse(Errno.isStorageFull(Errno.EFBIG));
    }
}
