package io.cairn.engine.backup;

import io.cairn.engine.Threads;

/**
 * What a backup did. Byte counts: {@code bytesRead} from the source; {@code bytesStored} added to packs
 * (record headers included); {@code bytesNewRaw} the raw size of those new blocks.
 */
public record BackupResult(String id, String disk, String type, String parent, String changeDetection,
                           long virtualSize, long blocksTotal, long blocksZero, long blocksChanged, long blocksNew,
                           long blocksDedup, long bytesRead, long bytesNewRaw, long bytesStored, long durationNs,
                           long readerBusyNs, long workerBusyNs, long writerBusyNs, int workers, boolean directIo) {
    public double durationSeconds() {
        return durationNs / 1e9;
    }

    /** Throughput over the virtual size (what a user means by "backed up at X MB/s"). */
    public double mbPerSecond() {
        return durationNs == 0 ? 0 : virtualSize / 1e6 / durationSeconds();
    }

    /** The stage that was busiest relative to its capacity. */
    public String bottleneck() {
        return Threads.bottleneck(durationNs, readerBusyNs, workerBusyNs, workers, writerBusyNs);
    }
}
