package io.cairn.nativeio.windows;

import java.io.IOException;

/**
 * A Windows call that failed with a Win32 error code (virtdisk.dll, kernel32.dll) or an HRESULT (COM, VSS).
 *
 * <p>The message names the call, its arguments and the code by name and in hex, in this form:
 * {@code QueryChangesVirtualDisk(D:\vm\disk.avhdx, offset=0) failed: ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION
 * (0xC03A0030)}. Branch on {@link #code()} (compare with {@link WindowsErrors}), never on the message.
 */
public class WindowsCallException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int code;

    /**
     * @param call      the function or COM method, e.g. {@code "IVssBackupComponents::DoSnapshotSet"}
     * @param arguments what the call was made on, as {@code name=value} pairs separated by ", ", or empty
     * @param code      the Win32 error code or HRESULT
     */
    public WindowsCallException(final String call, final String arguments, final int code) {
        super(call + "(" + (arguments == null ? "" : arguments) + ") failed: " + WindowsErrors.describe(code));
        this.call = call;
        this.code = code;
    }

    /** The function or method that failed. */
    public String call() {
        return call;
    }

    /** The Win32 error code or HRESULT, e.g. {@link WindowsErrors#VSS_E_BAD_STATE}. */
    public int code() {
        return code;
    }

    /** The symbolic name of {@link #code()}, or {@code "UNKNOWN"}. */
    public String codeName() {
        return WindowsErrors.name(code);
    }

    /** True when the previous RCT id is unusable and the caller should do a full backup of the disk instead. */
    public boolean isChangeTrackingBaseLost() {
        return WindowsErrors.isChangeTrackingBaseLost(code);
    }
}
