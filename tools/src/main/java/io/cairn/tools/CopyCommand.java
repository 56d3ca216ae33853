package io.cairn.tools;

import io.cairn.engine.move.MoveJob;
import io.cairn.engine.move.MoveResult;
import io.cairn.engine.move.PointOutcome;
import io.cairn.format.Repository;
import io.cairn.tools.cli.Units;

import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code cairn copy --repo DIR --disk NAME --to-repo DIR2 [--json]}: the backup copy job. Copies every restore point
 * of a disk that the second repository lacks, as a move does (blocks the target lacks copied as stored, packs made
 * durable, every block checked in the target, the point file published under the same id), and leaves the source
 * as it was. Run after each backup, it copies only the new points and blocks; a killed run is finished by running
 * it again. stdout: one line per restore point (or one JSON object); stderr: the summary. Exit 1 when any point
 * was not copied (the others still were).
 */
final class CopyCommand extends PointTransferCommand {
    @Override
    MoveJob job(final Repository source, final Consumer<String> warnings, final Consumer<PointOutcome> onPoint) {
        return MoveJob.copying(source, warnings, onPoint);
    }

    @Override
    String line(final PointOutcome p) {
        final String detail = switch (p.status()) {
            case COPIED -> p.blocksCopied() + " blocks copied (" + Units.bytes(p.bytesCopied())
                    + "), verified in the target";
            case SKIPPED -> "already in the target";
            case MOVED, NOT_REMOVED, FAILED -> p.message();
        };
        return String.format("%-7s  %-36s  %s", p.status().jsonName(), p.id(), detail);
    }

    @Override
    String summary(final MoveResult r) {
        return String.format("copy of disk %s to %s: %d restore point%s copied, %d already there, %d block%s copied"
                        + " (%s) in %d pack%s, %d already in the target, %s",
                r.disk(), r.target(), r.pointsCopied(), r.pointsCopied() == 1 ? "" : "s", r.pointsSkipped(),
                r.blocksCopied(), r.blocksCopied() == 1 ? "" : "s", Units.bytes(r.bytesCopied()), r.packsWritten(),
                r.packsWritten() == 1 ? "" : "s",
                r.blocksDeduplicated(), Units.seconds(r.durationNs()));
    }

    /** The one error line of a partial copy: how many points are missing in the target, and the first reason. */
    @Override
    String incomplete(final MoveResult r) {
        final PointOutcome first = firstProblem(r);
        return String.format("copy of disk %s incomplete: %d of %d restore points in the target, %d not copied;"
                        + " first problem: %s: %s (run the copy again once it is fixed)",
                r.disk(), r.pointsCopied() + r.pointsSkipped(), r.points().size(), r.pointsFailed(),
                first == null ? "-" : first.id(), first == null ? "-" : first.message());
    }

    @Override
    void putPointCounts(final Map<String, Object> m, final MoveResult r) {
        m.put("points_copied", r.pointsCopied());
        m.put("points_skipped", r.pointsSkipped());
        m.put("points_failed", r.pointsFailed());
    }

    @Override
    public String help() {
        return """
                usage: cairn copy --repo DIR --disk NAME --to-repo DIR2 [--json]

                Backup copy: copies every restore point of disk NAME that DIR2 does not have yet from DIR to DIR2,
                oldest first, keeping their ids; DIR is not changed. Per point: the blocks DIR2 lacks are copied
                as they are stored (no recompression), their packs are made durable, every block of the point is
                checked in DIR2 (the copied ones decompressed and re-hashed), then the point file is published in
                DIR2. Points already in DIR2 are skipped, so running it after each backup copies only what is new.

                DIR2 may be an existing repository with the same block size, or a new or empty directory: it is
                then created with DIR's settings. Both writer locks are held while it runs (exit 3 while either is
                locked; a backup into DIR meanwhile exits 3 too). A killed copy is finished by running it again.
                Retention in DIR2 is its own: run cairn retention on it.

                  --json   one object: disk, source, target, target_created, complete, points_copied,
                           points_skipped (already in DIR2), points_failed, bytes_copied, blocks_copied,
                           blocks_deduplicated, packs_written, duration_s, points (id, status, blocks_copied,
                           bytes_copied, message)

                stdout: one line per restore point: copied, skipped or failed, its id and what happened.
                Exit 1 when any point was not copied.
                """;
    }
}
