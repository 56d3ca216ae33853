package io.cairn.nativeio.windows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On Linux the package loads, says it is unavailable and why, and looks up no Windows library. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "checks how the Windows bindings behave off Windows")
class WindowsNativeOnLinuxTest {
    private static final List<String> CLASSES = List.of("WindowsNative", "WindowsLibraries", "Guids", "WideStrings",
        "WindowsErrors", "WindowsCallException", "VirtDiskConstants", "VirtDiskLayouts", "VirtDiskLibrary",
        "VirtualDisk", "VirtualDiskSize", "ChangeTrackingState", "QueryChangesBuffer", "VssConstants", "VssLayouts",
        "VssSnapshotProperties", "ComVtable", "ComLibrary", "Com", "VssBackupComponents");

    @Test
    void shouldLookUpNoLibraryWhenEveryClassIsInitialised() throws Exception {
        for (final String name : CLASSES) {
            Class.forName("io.cairn.nativeio.windows." + name, true, getClass().getClassLoader());
        }
        assertFalse(WindowsNative.available());
        assertEquals(0, WindowsLibraries.lookupCount());
    }

    @Test
    void shouldExplainWhenNotOnWindows() {
        assertFalse(WindowsNative.available());
        assertTrue(WindowsNative.unavailableReason().contains("need Windows x64; this JVM runs on Linux"),
            WindowsNative.unavailableReason());
    }

    @Test
    void shouldThrowReasonWhenEntryPointsAreCalledOnLinux() {
        final UnsupportedOperationException open = assertThrows(UnsupportedOperationException.class,
            () -> VirtualDisk.openReadOnly("C:\\disk.vhdx"));
        assertEquals(WindowsNative.unavailableReason(), open.getMessage());
        assertThrows(UnsupportedOperationException.class, VssBackupComponents::create);
        assertThrows(UnsupportedOperationException.class, Com::initializeThread);
        assertThrows(UnsupportedOperationException.class, () -> WindowsLibraries.library("virtdisk.dll"));
        assertEquals(0, WindowsLibraries.lookupCount());
    }

    @Test
    void shouldAcceptOnlyWindowsX64WhenProbing() {
        final Module module = WindowsNative.class.getModule();
        assertNull(WindowsNative.probe("Windows Server 2022", "amd64", module));
        assertNull(WindowsNative.probe("Windows 11", "amd64", module));
        assertTrue(WindowsNative.probe("Windows 11", "aarch64", module).contains("Windows x64"));
        assertTrue(WindowsNative.probe("Mac OS X", "aarch64", module).contains("runs on Mac OS X aarch64"));
    }
}
