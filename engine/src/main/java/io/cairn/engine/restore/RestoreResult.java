package io.cairn.engine.restore;

import io.cairn.engine.Threads;

import java.nio.file.Path;

/**
 * What a restore did: blocks written (data and zero), bytes written and read, time, and per-stage busy time.
 * {@code syncNs} is the part of {@code durationNs} spent in the final fdatasync (durability of the restored
 * disk, after the background syncs: only what they left); {@code backgroundSyncs} and {@code backgroundSyncNs}
 * count the fdatasyncs that ran beside the restore and their time; {@code writes} counts write calls (data runs
 * are coalesced, so far fewer than blocks). {@code durable} is false for a restore run without syncs
 * ({@code --no-sync}): its data went to the device (O_DIRECT) or the page cache, but was never flushed.
 */
public record RestoreResult(String pointId, String disk, Path target, long virtualSize, long blocksData,
                            long blocksZero, long bytesWritten, long durationNs, long bytesRead, long writes,
                            long readerBusyNs, long workerBusyNs, long writerBusyNs, int workers, long syncNs,
                            boolean directWrites, boolean asyncReads, long backgroundSyncs,
                            long backgroundSyncNs, boolean durable) {
    public double durationSeconds() {
        return durationNs / 1e9;
    }

    public double mbPerSecond() {
        return durationNs == 0 ? 0 : virtualSize / 1e6 / durationSeconds();
    }

    /** The stage that was busiest relative to its capacity, as in the backup's summary. */
    public String bottleneck() {
        return Threads.bottleneck(durationNs, readerBusyNs, workerBusyNs, workers, writerBusyNs);
    }
}
