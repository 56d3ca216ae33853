package io.cairn.nativeio.windows;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcall handles into virtdisk.dll and kernel32.dll (signatures: windows-hyperv.md 1.1 and 3), linked on first
 * use by {@link #get()}, never by class initialisation: {@code Linker.Option.captureCallState("GetLastError")} is
 * itself rejected on Linux, so nothing here may run before {@link WindowsNative#ensureAvailable()} has passed.
 *
 * <p>virtdisk functions return their Win32 error code; kernel32's BOOL functions capture GetLastError, and their
 * handles take the capture segment as first argument.
 */
final class VirtDiskLibrary {
    private static final String VIRTDISK = "virtdisk.dll";
    private static final String KERNEL32 = "kernel32.dll";
    private static volatile VirtDiskLibrary instance;

    final StructLayout captureLayout;
    final long lastErrorOffset;
    final MethodHandle openVirtualDisk;
    final MethodHandle getVirtualDiskInformation;
    final MethodHandle queryChangesVirtualDisk;
    final MethodHandle attachVirtualDisk;
    final MethodHandle detachVirtualDisk;
    final MethodHandle closeHandle;
    final MethodHandle readFile;
    final MethodHandle getOverlappedResult;

    private VirtDiskLibrary() {
        final Linker.Option lastError = Linker.Option.captureCallState("GetLastError");
        captureLayout = Linker.Option.captureStateLayout();
        lastErrorOffset = captureLayout.byteOffset(MemoryLayout.PathElement.groupElement("GetLastError"));
        openVirtualDisk = WindowsLibraries.downcall(VIRTDISK, "OpenVirtualDisk",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        getVirtualDiskInformation = WindowsLibraries.downcall(VIRTDISK, "GetVirtualDiskInformation",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        queryChangesVirtualDisk = WindowsLibraries.downcall(VIRTDISK, "QueryChangesVirtualDisk",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS));
        attachVirtualDisk = WindowsLibraries.downcall(VIRTDISK, "AttachVirtualDisk",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        detachVirtualDisk = WindowsLibraries.downcall(VIRTDISK, "DetachVirtualDisk",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        closeHandle = WindowsLibraries.downcall(KERNEL32, "CloseHandle",
            FunctionDescriptor.of(JAVA_INT, ADDRESS), lastError);
        readFile = WindowsLibraries.downcall(KERNEL32, "ReadFile",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS), lastError);
        getOverlappedResult = WindowsLibraries.downcall(KERNEL32, "GetOverlappedResult",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT), lastError);
    }

    /** The linked library; UnsupportedOperationException with the reason when not on Windows x64. */
    static VirtDiskLibrary get() {
        VirtDiskLibrary library = instance;
        if (library == null) {
            WindowsNative.ensureAvailable();
            synchronized (VirtDiskLibrary.class) {
                library = instance;
                if (library == null) {
                    library = new VirtDiskLibrary();
                    instance = library;
                }
            }
        }
        return library;
    }

    int lastError(final MemorySegment capture) {
        return capture.get(JAVA_INT, lastErrorOffset);
    }
}
