/**
 * Windows bindings through the Java 25 FFM API (no JNI): virtdisk.dll for Hyper-V Resilient Change Tracking
 * ({@link io.cairn.nativeio.windows.VirtualDisk}: OpenVirtualDisk, GetVirtualDiskInformation with the size and the
 * change-tracking state, QueryChangesVirtualDisk one page at a time, AttachVirtualDisk and ReadFile for raw reads,
 * CloseHandle) and a VSS requester ({@link io.cairn.nativeio.windows.VssBackupComponents}: IVssBackupComponents
 * through its COM vtable, IVssAsync waits, {@link io.cairn.nativeio.windows.Com} for COM set-up).
 *
 * <p><b>None of this code has been run on Windows.</b> It was written and compiled on Linux. What the tests here
 * check, on Linux: every struct's size and field offsets, every vtable slot and constant against
 * {@code shared/docs/windows-hyperv.md} (whose numbers were computed with the mingw-w64 headers); encode/decode of the
 * structs in native memory; error formatting; and that loading every class here on Linux looks up no Windows
 * library. The downcalls themselves, the ABI of the by-value GUID and C++ {@code bool} arguments, and the behaviour
 * of the Windows calls are untested until someone runs this on Windows x64 with Hyper-V.
 *
 * <p>Laziness: DLLs are looked up and downcalls linked on the first call that needs them, and only after
 * {@link io.cairn.nativeio.windows.WindowsNative#available()} is true (Windows x64, native access enabled). On
 * Linux every entry point throws {@link java.lang.UnsupportedOperationException} with
 * {@link io.cairn.nativeio.windows.WindowsNative#unavailableReason()}.
 *
 * <p>Errors: a failing Win32 code or HRESULT throws {@link io.cairn.nativeio.windows.WindowsCallException} naming
 * the call, its arguments and the code by name and in hex ({@link io.cairn.nativeio.windows.WindowsErrors}).
 */
package io.cairn.nativeio.windows;
