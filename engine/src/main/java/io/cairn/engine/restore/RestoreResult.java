package io.cairn.engine.restore;

import java.nio.file.Path;

/** What a restore did: blocks written (data and zero), bytes written, time. */
public record RestoreResult(String pointId, String disk, Path target, long virtualSize, long blocksData,
                            long blocksZero, long bytesWritten, long durationNs) {
    public double durationSeconds() {
        return durationNs / 1e9;
    }

    public double mbPerSecond() {
        return durationNs == 0 ? 0 : virtualSize / 1e6 / durationSeconds();
    }
}
