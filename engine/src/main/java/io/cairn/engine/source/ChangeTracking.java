package io.cairn.engine.source;

import java.io.IOException;

/**
 * Changed block tracking of a source (a QEMU dirty bitmap, Hyper-V RCT): the byte ranges written since the
 * restore point the tracking is based on. Everything outside them is unchanged, so an incremental backup copies
 * the parent's block ids for it without reading.
 * <p>
 * Threads: used by the backup's reader thread only.
 */
public interface ChangeTracking {
    /** What decided the changes, for the manifest and summary, e.g. {@code dirty-bitmap:backup-3}. */
    String describe();

    /** First changed byte at or after offset, or -1 when nothing after it changed. */
    long nextChanged(long offset) throws IOException;

    /** End of the changed range that contains offset (offset itself when offset is unchanged). */
    long changedEnd(long offset) throws IOException;

    /** Bytes the tracking marks as changed, or -1 when that is not known up front. */
    long changedBytes();

    /**
     * The id of the restore point this tracking starts at, when the source knows it (a Cairn-managed QEMU bitmap
     * does), else null. A backup whose parent is a different point must not trust it.
     */
    default String basePointId() {
        return null;
    }
}
