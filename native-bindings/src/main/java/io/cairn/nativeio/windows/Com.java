package io.cairn.nativeio.windows;

import java.lang.foreign.MemorySegment;

/**
 * COM set-up for a VSS requester (windows-hyperv.md 2.2). COM apartments belong to OS threads: call
 * {@link #initializeThread()} on every platform thread that makes VSS calls (never on a virtual thread, which may
 * change carrier), and {@link #uninitializeThread()} on the same thread after releasing every interface.
 */
public final class Com {
    private Com() {
    }

    /** CoInitializeEx(NULL, COINIT_MULTITHREADED); S_FALSE (already initialised) is success. */
    public static void initializeThread() throws WindowsCallException {
        final int hr;
        try {
            hr = (int) ComLibrary.get().coInitializeEx.invokeExact(MemorySegment.NULL, VssConstants.COINIT_MULTITHREADED);
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
        if (WindowsErrors.failed(hr)) {
            throw new WindowsCallException("CoInitializeEx", "COINIT_MULTITHREADED", hr);
        }
    }

    /**
     * CoInitializeSecurity(NULL, -1, NULL, NULL, PKT_PRIVACY, IMPERSONATE, NULL, EOAC_DYNAMIC_CLOAKING, NULL) as
     * vshadow does, once per process before COM marshals anything. Returns false when it was too late
     * ({@code RPC_E_TOO_LATE}: someone in this process already did it), true when this call set it.
     */
    public static boolean initializeSecurity() throws WindowsCallException {
        final int hr;
        try {
            hr = (int) ComLibrary.get().coInitializeSecurity.invokeExact(MemorySegment.NULL, -1, MemorySegment.NULL,
                MemorySegment.NULL, VssConstants.RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
                VssConstants.RPC_C_IMP_LEVEL_IMPERSONATE, MemorySegment.NULL, VssConstants.EOAC_DYNAMIC_CLOAKING,
                MemorySegment.NULL);
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
        if (hr == WindowsErrors.RPC_E_TOO_LATE) {
            return false;
        }
        if (WindowsErrors.failed(hr)) {
            throw new WindowsCallException("CoInitializeSecurity", "PKT_PRIVACY, IMPERSONATE, DYNAMIC_CLOAKING", hr);
        }
        return true;
    }

    /** CoUninitialize on this thread. */
    public static void uninitializeThread() {
        try {
            ComLibrary.get().coUninitialize.invokeExact();
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
    }
}
