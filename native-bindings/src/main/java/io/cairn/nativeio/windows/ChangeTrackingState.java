package io.cairn.nativeio.windows;

import java.lang.foreign.MemorySegment;

/**
 * {@code GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE}: whether RCT is enabled, whether there are changes newer than
 * the id, and the most recent RCT id (windows-hyperv.md 1.3: {@code Enabled}@8, {@code NewerChanges}@12,
 * {@code MostRecentId}@16, a NUL-terminated WCHAR string that runs past the declared struct).
 *
 * @param enabled       RCT is on for this disk
 * @param newerChanges  the disk has changes newer than {@code mostRecentId}
 * @param mostRecentId  the most recent RCT id, opaque (e.g. {@code rctX:...:00000000}); empty when none
 */
public record ChangeTrackingState(boolean enabled, boolean newerChanges, String mostRecentId) {
    /** Buffer size for GetVirtualDiskInformation: 16 + 2 * 257 rounded up generously (1 KiB, as the doc advises). */
    public static final int BUFFER_BYTES = 1024;

    /**
     * Decodes a GET_VIRTUAL_DISK_INFO buffer filled for version CHANGE_TRACKING_STATE. {@code sizeUsed} is what
     * Windows reported as used; the id must end in a NUL within it and within 257 characters, else
     * IllegalArgumentException.
     */
    public static ChangeTrackingState decode(final MemorySegment info, final long sizeUsed) {
        final int version = (int) VirtDiskLayouts.INFO_VERSION.get(info, 0L);
        if (version != VirtDiskConstants.GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE) {
            throw new IllegalArgumentException("GET_VIRTUAL_DISK_INFO version " + version + " is not "
                + VirtDiskConstants.GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE + " (CHANGE_TRACKING_STATE)");
        }
        final long used = Math.min(info.byteSize(), Math.max(sizeUsed, 0));
        final long idOffset = VirtDiskLayouts.CHANGE_TRACKING_MOST_RECENT_ID_OFFSET;
        final String id = used <= idOffset ? ""
            : WideStrings.read(info.asSlice(0, used), idOffset,
                VirtDiskConstants.VIRTUAL_DISK_MAXIMUM_CHANGE_TRACKING_ID_LENGTH + 1);
        return new ChangeTrackingState((int) VirtDiskLayouts.INFO_CT_ENABLED.get(info, 0L) != 0,
            (int) VirtDiskLayouts.INFO_CT_NEWER_CHANGES.get(info, 0L) != 0, id);
    }
}
