package io.cairn.engine.source.windows;

import java.io.IOException;

/**
 * The previous RCT id cannot be used for this disk (unknown to the disk, malformed, or RCT disabled;
 * windows-hyperv.md 1.4 groups ERROR_VHD_INVALID_CHANGE_TRACKING_ID, ..._CHANGE_TRACKING_DISABLED and
 * ..._MISSING_CHANGE_TRACKING_INFORMATION as "base lost"). The caller must back the disk up in full (open the
 * source without a previous id) and say so in the backup's summary: never a silent gap.
 */
public final class ChangeTrackingBaseLostException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String changeTrackingId;

    /** @param cause the Windows error, or null when the disk reported RCT disabled */
    public ChangeTrackingBaseLostException(final String path, final String changeTrackingId, final Throwable cause) {
        super("RCT base " + changeTrackingId + " is unusable for " + path
            + (cause == null ? ": change tracking is not enabled on the disk" : ": " + cause.getMessage())
            + "; a full backup of this disk is needed", cause);
        this.changeTrackingId = changeTrackingId;
    }

    /** The RCT id that could not be used. */
    public String changeTrackingId() {
        return changeTrackingId;
    }
}
