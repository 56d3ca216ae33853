package io.cairn.tools;

import io.cairn.engine.json.Json;
import io.cairn.engine.move.MoveJob;
import io.cairn.engine.move.MoveResult;
import io.cairn.engine.move.PointOutcome;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cairn move --repo DIR --disk NAME --to-repo DIR2 [--json]}: moves every restore point of a disk to another
 * repository (copy, verify in the target, then remove from the source; FORMAT.md section 13). stdout: one line per
 * restore point (or one JSON object); stderr: the summary. Exit 1 when any point was not moved or not removed from
 * the source (the rest still moved); a rerun finishes an interrupted or partial move.
 */
final class MoveCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "disk", "to-repo"), Set.of("json"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final String disk = a.require("disk");
        if (!Ids.isDiskName(disk)) {
            throw new UsageException("invalid disk name '" + disk + "': use 1-64 of A-Z a-z 0-9 . _ -");
        }
        final Path to = Path.of(a.require("to-repo"));
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        if (Files.exists(to) && Files.isSameFile(repo.dir(), to)) {
            throw new UsageException("--to-repo " + to + " is the same repository as --repo " + repo.dir());
        }
        final boolean json = a.flag("json");
        final List<String> warnings = new ArrayList<>();
        final MoveResult r;
        try {
            r = new MoveJob(repo, warnings::add, p -> {
                if (!json) {
                    out.println(line(p));
                    out.flush();
                }
            }).run(disk, to);
        } finally {
            for (String w : warnings) {
                err.println("cairn: warning: " + w);
            }
        }
        if (json) {
            out.println(Json.write(toJson(r)));
        }
        if (r.targetCreated()) {
            err.println("created repository " + r.target() + " with the source's settings (block size "
                    + repo.config().blockSize() + ", compression " + repo.config().compressionSpec() + ")");
        }
        if (!r.complete()) {
            err.println("cairn: error: " + incomplete(r));
            return Cairn.FAILED;
        }
        err.println(summary(r));
        return Cairn.OK;
    }

    static String line(final PointOutcome p) {
        final String detail = switch (p.status()) {
            case MOVED -> p.blocksCopied() + " blocks copied (" + Units.bytes(p.bytesCopied())
                    + "), verified in the target, removed from the source";
            case SKIPPED -> "already in the target (an interrupted move copied it): verified, removed from the source";
            case COPIED, NOT_REMOVED, FAILED -> p.message();
        };
        return String.format("%-11s  %-36s  %s", p.status().jsonName(), p.id(), detail);
    }

    static String summary(final MoveResult r) {
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
    static String incomplete(final MoveResult r) {
        final long notMoved = r.pointsFailed();
        final long both = r.pointsNotRemoved();
        PointOutcome first = null;
        for (PointOutcome p : r.points()) {
            if (p.message() != null) {
                first = p;
                break;
            }
        }
        return String.format("move of disk %s incomplete: %d of %d restore points moved, %d left in the source only,"
                        + " %d in both repositories; first problem: %s: %s (run the move again once it is fixed)",
                r.disk(), r.pointsMoved() + r.pointsSkipped(), r.points().size(), notMoved, both,
                first == null ? "-" : first.id(), first == null ? "-" : first.message());
    }

    static Map<String, Object> toJson(final MoveResult r) {
        final Map<String, Object> m = Json.object();
        m.put("disk", r.disk());
        m.put("source", r.source().toString());
        m.put("target", r.target().toString());
        m.put("target_created", r.targetCreated());
        m.put("complete", r.complete());
        m.put("points_moved", r.pointsMoved());
        m.put("points_skipped", r.pointsSkipped());
        m.put("points_not_removed", r.pointsNotRemoved());
        m.put("points_failed", r.pointsFailed());
        m.put("bytes_copied", r.bytesCopied());
        m.put("blocks_copied", r.blocksCopied());
        m.put("blocks_deduplicated", r.blocksDeduplicated());
        m.put("packs_written", r.packsWritten());
        m.put("duration_s", r.durationNs() / 1e9);
        final List<Object> points = new ArrayList<>();
        for (PointOutcome p : r.points()) {
            final Map<String, Object> o = Json.object();
            o.put("id", p.id());
            o.put("status", p.status().jsonName());
            o.put("blocks_copied", p.blocksCopied());
            o.put("bytes_copied", p.bytesCopied());
            o.put("message", p.message());
            points.add(o);
        }
        m.put("points", points);
        return m;
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
