package io.cairn.tools;

import io.cairn.engine.move.MoveJob;
import io.cairn.engine.move.MoveResult;
import io.cairn.engine.move.PointOutcome;
import io.cairn.format.Repository;
import io.cairn.tools.cli.Units;

import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code cairn move --repo DIR --disk NAME --to-repo DIR2 [--json]}: moves every restore point of a disk to another
 * repository (copy, verify in the target, then remove from the source; FORMAT.md section 13). stdout: one line per
 * restore point (or one JSON object); stderr: the summary. Exit 1 when any point was not moved or not removed from
 * the source (the rest still moved); a rerun finishes an interrupted or partial move.
 */
final class MoveCommand extends PointTransferCommand {
    @Override
    MoveJob job(final Repository source, final Consumer<String> warnings, final Consumer<PointOutcome> onPoint) {
        return new MoveJob(source, warnings, onPoint);
    }

    @Override
    String line(final PointOutcome p) {
        final String detail = switch (p.status()) {
            case MOVED -> p.blocksCopied() + " blocks copied (" + Units.bytes(p.bytesCopied())
                    + "), verified in the target, removed from the source";
            case SKIPPED -> "already in the target (an interrupted move copied it): verified, removed from the source";
            case COPIED, NOT_REMOVED, FAILED -> p.message();
        };
        return String.format("%-11s  %-36s  %s", p.status().jsonName(), p.id(), detail);
    }

    @Override
    String summary(final MoveResult r) {
        final long done = r.pointsMoved() + r.pointsSkipped();
        return String.format("move of disk %s to %s: %d restore point%s moved (%d of them already copied by an"
                        + " earlier run), %d blocks copied (%s) in %d pack%s, %d already in the target, %s%s",
                r.disk(), r.target(), done, done == 1 ? "" : "s", r.pointsSkipped(), r.blocksCopied(),
                Units.bytes(r.bytesCopied()), r.packsWritten(), r.packsWritten() == 1 ? "" : "s",
                r.blocksDeduplicated(), Units.seconds(r.durationNs()),
                done > 0 ? "; blocks only they referenced are now reclaimable in the source (cairn verify shows them,"
                        + " compact frees them)" : "");
    }

    /** The one error line of a partial move: what is left where, and the first reason. */
    @Override
    String incomplete(final MoveResult r) {
        final long notMoved = r.pointsFailed();
        final long both = r.pointsNotRemoved();
        final PointOutcome first = firstProblem(r);
        return String.format("move of disk %s incomplete: %d of %d restore points moved, %d left in the source only,"
                        + " %d in both repositories; first problem: %s: %s (run the move again once it is fixed)",
                r.disk(), r.pointsMoved() + r.pointsSkipped(), r.points().size(), notMoved, both,
                first == null ? "-" : first.id(), first == null ? "-" : first.message());
    }

    @Override
    void putPointCounts(final Map<String, Object> m, final MoveResult r) {
        m.put("points_moved", r.pointsMoved());
        m.put("points_skipped", r.pointsSkipped());
        m.put("points_not_removed", r.pointsNotRemoved());
        m.put("points_failed", r.pointsFailed());
    }

    @Override
    public String help() {
        return """
                usage: cairn move --repo DIR --disk NAME --to-repo DIR2 [--json]

                Moves every restore point of disk NAME from DIR to DIR2, oldest first, keeping their ids. Per point:
                the blocks DIR2 lacks are copied as they are stored (no recompression), their packs are made
                durable, every block of the point is checked in DIR2 (the copied ones decompressed and re-hashed),
                the point file is published in DIR2, and only then is the point removed from DIR.

                DIR2 may be an existing repository with the same block size, or a new or empty directory: it is
                then created with DIR's settings. Both writer locks are held (exit 3 while either is locked).
                A killed or partial move is finished by running it again: points already in DIR2 are checked and
                removed from DIR. Blocks only the moved points referenced stay in DIR's packs as reclaimable space
                until compact.

                  --json   one object: disk, points_moved, points_skipped (already copied by an earlier run),
                           points_not_removed, points_failed, bytes_copied, blocks_copied, blocks_deduplicated,
                           packs_written, duration_s, points (id, status, blocks_copied, bytes_copied, message)

                stdout: one line per restore point: moved, skipped, not_removed or failed, its id and what happened.
                Exit 1 when any point was not moved (it stays in DIR) or not removed from DIR (it is in both).
                """;
    }
}
