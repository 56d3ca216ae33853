package io.cairn.engine.move;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of {@link MoveJob#run}.
 *
 * @param disk               the disk whose restore points were moved
 * @param source             the source repository
 * @param target             the target repository
 * @param targetCreated      true when the move created the target (it did not exist or was an empty directory)
 * @param points             one outcome per restore point of the disk found in the source, oldest first
 * @param blocksCopied       records copied into the target
 * @param bytesCopied        bytes of those records (headers and stored bytes)
 * @param blocksDeduplicated distinct blocks the points reference that the target already held
 * @param packsWritten       packs published in the target
 * @param durationNs         wall time, locks included
 */
public record MoveResult(String disk, Path source, Path target, boolean targetCreated, List<PointOutcome> points,
                         long blocksCopied, long bytesCopied, long blocksDeduplicated, int packsWritten,
                         long durationNs) {
    public MoveResult {
        points = List.copyOf(points);
    }

    /** Points copied by this run and removed from the source. */
    public long pointsMoved() {
        return count(PointOutcome.Status.MOVED);
    }

    /** Points a copy copied and verified in the target (the source keeps them). */
    public long pointsCopied() {
        return count(PointOutcome.Status.COPIED);
    }

    /** Points an earlier, interrupted run had already copied: verified and removed from the source by this run. */
    public long pointsSkipped() {
        return count(PointOutcome.Status.SKIPPED);
    }

    /** Points copied and verified in the target whose removal from the source failed: they are in both. */
    public long pointsNotRemoved() {
        return count(PointOutcome.Status.NOT_REMOVED);
    }

    /** Points not moved: they stay in the source only. */
    public long pointsFailed() {
        return count(PointOutcome.Status.FAILED);
    }

    /** True when every point of the disk is now in the target only. */
    public boolean complete() {
        return pointsFailed() == 0 && pointsNotRemoved() == 0;
    }

    private long count(final PointOutcome.Status s) {
        return points.stream().filter(p -> p.status() == s).count();
    }
}
