package io.cairn.nativeio.windows;

import java.util.Map;

/**
 * Names and hex formatting of the Win32 error codes that virtdisk.dll returns and of the HRESULTs that VSS returns,
 * as listed in windows-hyperv.md sections 1.4 (virtdisk) and 2.3/2.4 (VSS). Codes not listed format as
 * {@code UNKNOWN}; the hex value is always part of the text.
 */
public final class WindowsErrors {
    /** Win32 success. */
    public static final int ERROR_SUCCESS = 0;
    /** Bad or closed handle. */
    public static final int ERROR_INVALID_HANDLE = 6;
    /** OpenVirtualDisk and others: a bad argument. */
    public static final int ERROR_INVALID_PARAMETER = 87;
    /** GetVirtualDiskInformation: buffer too small; the required size is written back. */
    public static final int ERROR_INSUFFICIENT_BUFFER = 122;
    /** FSCTL_GET_VOLUME_BITMAP: more pages follow. */
    public static final int ERROR_MORE_DATA = 234;
    /** ReadFile on an overlapped handle: the read is still running. */
    public static final int ERROR_IO_PENDING = 997;
    /** File corrupt. */
    public static final int ERROR_FILE_CORRUPT = 1392;
    /** RCT id malformed or not valid. */
    public static final int ERROR_VHD_INVALID_CHANGE_TRACKING_ID = 0xC03A0029;
    /** RCT not enabled on this VHDX. */
    public static final int ERROR_VHD_CHANGE_TRACKING_DISABLED = 0xC03A002A;
    /** RCT id not known to this disk. */
    public static final int ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION = 0xC03A0030;

    /** S_OK. */
    public static final int S_OK = 0;
    /** IVssAsync::QueryStatus: the operation finished. */
    public static final int VSS_S_ASYNC_FINISHED = 0x0004230A;
    /** IVssAsync::QueryStatus: still running. */
    public static final int VSS_S_ASYNC_PENDING = 0x00042309;
    /** IVssAsync::QueryStatus: cancelled. */
    public static final int VSS_S_ASYNC_CANCELLED = 0x0004230B;
    /** CoInitializeSecurity called twice or too late. */
    public static final int RPC_E_TOO_LATE = 0x80010119;
    /** CoInitializeEx: the thread already uses the other apartment model. */
    public static final int RPC_E_CHANGED_MODE = 0x80010106;
    /** A VSS call out of order. */
    public static final int VSS_E_BAD_STATE = 0x80042301;
    /** Unknown snapshot or snapshot set id. */
    public static final int VSS_E_OBJECT_NOT_FOUND = 0x80042308;
    /** Another snapshot is being created; retry later. */
    public static final int VSS_E_SNAPSHOT_SET_IN_PROGRESS = 0x80042316;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
        Map.entry(ERROR_SUCCESS, "ERROR_SUCCESS"),
        Map.entry(ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE"),
        Map.entry(ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER"),
        Map.entry(ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER"),
        Map.entry(ERROR_MORE_DATA, "ERROR_MORE_DATA"),
        Map.entry(ERROR_IO_PENDING, "ERROR_IO_PENDING"),
        Map.entry(ERROR_FILE_CORRUPT, "ERROR_FILE_CORRUPT"),
        Map.entry(ERROR_VHD_INVALID_CHANGE_TRACKING_ID, "ERROR_VHD_INVALID_CHANGE_TRACKING_ID"),
        Map.entry(ERROR_VHD_CHANGE_TRACKING_DISABLED, "ERROR_VHD_CHANGE_TRACKING_DISABLED"),
        Map.entry(ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION, "ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION"),
        Map.entry(VSS_S_ASYNC_FINISHED, "VSS_S_ASYNC_FINISHED"),
        Map.entry(VSS_S_ASYNC_PENDING, "VSS_S_ASYNC_PENDING"),
        Map.entry(VSS_S_ASYNC_CANCELLED, "VSS_S_ASYNC_CANCELLED"),
        Map.entry(RPC_E_TOO_LATE, "RPC_E_TOO_LATE"),
        Map.entry(RPC_E_CHANGED_MODE, "RPC_E_CHANGED_MODE"),
        Map.entry(VSS_E_BAD_STATE, "VSS_E_BAD_STATE"),
        Map.entry(0x80042302, "VSS_E_UNEXPECTED"),
        Map.entry(0x80042306, "VSS_E_PROVIDER_VETO"),
        Map.entry(0x80042307, "VSS_E_PROVIDER_IN_USE"),
        Map.entry(VSS_E_OBJECT_NOT_FOUND, "VSS_E_OBJECT_NOT_FOUND"),
        Map.entry(0x8004230C, "VSS_E_VOLUME_NOT_SUPPORTED"),
        Map.entry(0x8004230D, "VSS_E_OBJECT_ALREADY_EXISTS"),
        Map.entry(0x8004230E, "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER"),
        Map.entry(0x8004230F, "VSS_E_UNEXPECTED_PROVIDER_ERROR"),
        Map.entry(0x80042312, "VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED"),
        Map.entry(0x80042313, "VSS_E_FLUSH_WRITES_TIMEOUT"),
        Map.entry(0x80042314, "VSS_E_HOLD_WRITES_TIMEOUT"),
        Map.entry(0x80042315, "VSS_E_UNEXPECTED_WRITER_ERROR"),
        Map.entry(VSS_E_SNAPSHOT_SET_IN_PROGRESS, "VSS_E_SNAPSHOT_SET_IN_PROGRESS"),
        Map.entry(0x80042317, "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED"),
        Map.entry(0x80042318, "VSS_E_WRITER_INFRASTRUCTURE"),
        Map.entry(0x80042319, "VSS_E_WRITER_NOT_RESPONDING"),
        Map.entry(0x8004231B, "VSS_E_UNSUPPORTED_CONTEXT"),
        Map.entry(0x8004231F, "VSS_E_INSUFFICIENT_STORAGE"),
        Map.entry(0x8004232F, "VSS_E_NOT_SUPPORTED"),
        Map.entry(0x800423F0, "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT"),
        Map.entry(0x800423F1, "VSS_E_WRITERERROR_OUTOFRESOURCES"),
        Map.entry(0x800423F2, "VSS_E_WRITERERROR_TIMEOUT"),
        Map.entry(0x800423F3, "VSS_E_WRITERERROR_RETRYABLE"),
        Map.entry(0x800423F4, "VSS_E_WRITERERROR_NONRETRYABLE"));

    private WindowsErrors() {
    }

    /** The symbolic name, e.g. {@code "VSS_E_BAD_STATE"}, or {@code "UNKNOWN"}. */
    public static String name(final int code) {
        return NAMES.getOrDefault(code, "UNKNOWN");
    }

    /** Eight hex digits with 0x, e.g. {@code 0x80042301}. */
    public static String hex(final int code) {
        return String.format("0x%08X", code);
    }

    /** Name and hex code, e.g. {@code "VSS_E_BAD_STATE (0x80042301)"}. */
    public static String describe(final int code) {
        return name(code) + " (" + hex(code) + ")";
    }

    /** An HRESULT fails when its severity bit is set (it is negative as an int). */
    public static boolean failed(final int hresult) {
        return hresult < 0;
    }

    /**
     * True for the codes that mean the previous RCT id cannot be used (windows-hyperv.md 1.4: treat all three as
     * "base lost, do a full backup").
     */
    public static boolean isChangeTrackingBaseLost(final int code) {
        return code == ERROR_VHD_INVALID_CHANGE_TRACKING_ID || code == ERROR_VHD_CHANGE_TRACKING_DISABLED
            || code == ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION;
    }
}
