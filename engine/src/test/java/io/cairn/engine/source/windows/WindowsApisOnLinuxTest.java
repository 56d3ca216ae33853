package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.WindowsNative;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The real implementations refuse with the bindings' reason off Windows, instead of failing to link. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "checks how the Windows implementations behave off Windows")
class WindowsApisOnLinuxTest {
    @Test
    void shouldRefuseWithReasonWhenOpeningVirtualDiskOnLinux() {
        final UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
            () -> RctBlockSource.open(new VirtDiskVirtualDiskApi(), "D:\\vm\\disk.vhdx", null, 16));
        assertEquals(WindowsNative.unavailableReason(), e.getMessage());
    }

    @Test
    void shouldRefuseWithReasonWhenCreatingVssRequesterOnLinux() {
        final UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, ComVssApi::create);
        assertEquals(WindowsNative.unavailableReason(), e.getMessage());
    }
}
