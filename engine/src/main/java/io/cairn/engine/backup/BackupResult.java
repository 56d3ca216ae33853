package io.cairn.engine.backup;

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
        final double d = Math.max(1, durationNs);
        final double reader = readerBusyNs / d;
        final double worker = workerBusyNs / d / Math.max(1, workers);
        final double writer = writerBusyNs / d;
        if (reader >= worker && reader >= writer) {
            return String.format("source (reader busy %.0f%%, workers %.0f%%, writer %.0f%%)", reader * 100,
                    worker * 100, writer * 100);
        }
        if (worker >= writer) {
            return String.format("cpu (workers busy %.0f%%, reader %.0f%%, writer %.0f%%)", worker * 100,
                    reader * 100, writer * 100);
        }
        return String.format("target (writer busy %.0f%%, reader %.0f%%, workers %.0f%%)", writer * 100,
                reader * 100, worker * 100);
    }
}
