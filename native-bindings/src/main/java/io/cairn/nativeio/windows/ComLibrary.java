package io.cairn.nativeio.windows;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Downcall handles for COM and VSS (windows-hyperv.md 2.1-2.3), linked on first use by {@link #get()}.
 *
 * <p>Exports: ole32.dll {@code CoInitializeEx}, {@code CoInitializeSecurity}, {@code CoUninitialize}; VssApi.dll
 * {@code CreateVssBackupComponentsInternal} (falling back to the mangled C++ name older code binds) and
 * {@code VssFreeSnapshotPropertiesInternal} (same fallback). Vtable calls use handles without a fixed address,
 * one per signature, taking the function pointer first and the object pointer second. GUIDs passed by value are
 * declared as {@link Guids#LAYOUT}, which the Windows x64 linker passes as a pointer to a copy. C++ {@code bool}
 * (SetBackupState) is {@link java.lang.foreign.ValueLayout#JAVA_BOOLEAN}; {@code BOOL} (DeleteSnapshots) is an int.
 */
final class ComLibrary {
    private static final String OLE32 = "ole32.dll";
    private static final String VSSAPI = "VssApi.dll";
    private static volatile ComLibrary instance;

    final MethodHandle coInitializeEx;
    final MethodHandle coInitializeSecurity;
    final MethodHandle coUninitialize;
    final MethodHandle createVssBackupComponents;
    final MethodHandle vssFreeSnapshotProperties;
    /** HRESULT/ULONG f(this): Release, AbortBackup, FreeWriterMetadata. */
    final MethodHandle callThis;
    /** HRESULT f(this, void*): InitializeForBackup, GatherWriterMetadata, PrepareForBackup, DoSnapshotSet, ... */
    final MethodHandle callPointer;
    /** HRESULT f(this, int): SetContext, IVssAsync::Wait. */
    final MethodHandle callInt;
    /** HRESULT f(this, void*, void*): IVssAsync::QueryStatus. */
    final MethodHandle callPointerPointer;
    /** SetBackupState(this, bool, bool, VSS_BACKUP_TYPE, bool). */
    final MethodHandle setBackupState;
    /** AddToSnapshotSet(this, VSS_PWSZ, VSS_ID, VSS_ID*). */
    final MethodHandle addToSnapshotSet;
    /** GetSnapshotProperties(this, VSS_ID, VSS_SNAPSHOT_PROP*). */
    final MethodHandle getSnapshotProperties;
    /** DeleteSnapshots(this, VSS_ID, VSS_OBJECT_TYPE, BOOL, LONG*, VSS_ID*). */
    final MethodHandle deleteSnapshots;

    private ComLibrary() {
        coInitializeEx = WindowsLibraries.downcall(OLE32, "CoInitializeEx",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        coInitializeSecurity = WindowsLibraries.downcall(OLE32, "CoInitializeSecurity",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS,
                JAVA_INT, ADDRESS));
        coUninitialize = WindowsLibraries.downcall(OLE32, "CoUninitialize", FunctionDescriptor.ofVoid());
        createVssBackupComponents = WindowsLibraries.downcallFirst(VSSAPI,
            FunctionDescriptor.of(JAVA_INT, ADDRESS), "CreateVssBackupComponentsInternal",
            "?CreateVssBackupComponents@@YAJPEAPEAVIVssBackupComponents@@@Z");
        vssFreeSnapshotProperties = WindowsLibraries.downcallFirst(VSSAPI, FunctionDescriptor.ofVoid(ADDRESS),
            "VssFreeSnapshotPropertiesInternal", "?VssFreeSnapshotProperties@@YAXPEAU_VSS_SNAPSHOT_PROP@@@Z");
        callThis = WindowsLibraries.pointerDowncall(FunctionDescriptor.of(JAVA_INT, ADDRESS));
        callPointer = WindowsLibraries.pointerDowncall(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        callInt = WindowsLibraries.pointerDowncall(FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        callPointerPointer = WindowsLibraries.pointerDowncall(
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        setBackupState = WindowsLibraries.pointerDowncall(
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN, JAVA_BOOLEAN, JAVA_INT, JAVA_BOOLEAN));
        addToSnapshotSet = WindowsLibraries.pointerDowncall(
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, Guids.LAYOUT, ADDRESS));
        getSnapshotProperties = WindowsLibraries.pointerDowncall(
            FunctionDescriptor.of(JAVA_INT, ADDRESS, Guids.LAYOUT, ADDRESS));
        deleteSnapshots = WindowsLibraries.pointerDowncall(
            FunctionDescriptor.of(JAVA_INT, ADDRESS, Guids.LAYOUT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /** The linked library; UnsupportedOperationException with the reason when not on Windows x64. */
    static ComLibrary get() {
        ComLibrary library = instance;
        if (library == null) {
            WindowsNative.ensureAvailable();
            synchronized (ComLibrary.class) {
                library = instance;
                if (library == null) {
                    library = new ComLibrary();
                    instance = library;
                }
            }
        }
        return library;
    }
}
