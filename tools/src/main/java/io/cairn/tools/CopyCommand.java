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
 * {@code cairn copy --repo DIR --disk NAME --to-repo DIR2 [--json]}: the backup copy job. Copies every restore point
 * of a disk that the second repository lacks, as a move does (blocks the target lacks copied as stored, packs made
 * durable, every block checked in the target, the point file published under the same id), and leaves the source
 * as it was. Run after each backup, it copies only the new points and blocks; a killed run is finished by running
 * it again. stdout: one line per restore point (or one JSON object); stderr: the summary. Exit 1 when any point
 * was not copied (the others still were).
 */
final class CopyCommand implements Command {
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
            r = MoveJob.copying(repo, warnings::add, p -> {
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
            case COPIED -> p.blocksCopied() + " blocks copied (" + Units.bytes(p.bytesCopied())
                    + "), verified in the target";
            case SKIPPED -> "already in the target";
            case MOVED, NOT_REMOVED, FAILED -> p.message();
        };
        return String.format("%-7s  %-36s  %s", p.status().jsonName(), p.id(), detail);
    }

    static String summary(final MoveResult r) {
        return String.format("copy of disk %s to %s: %d restore point%s copied, %d already there, %d block%s copied"
                        + " (%s) in %d pack%s, %d already in the target, %s",
                r.disk(), r.target(), r.pointsCopied(), r.pointsCopied() == 1 ? "" : "s", r.pointsSkipped(),
                r.blocksCopied(), r.blocksCopied() == 1 ? "" : "s", Units.bytes(r.bytesCopied()), r.packsWritten(),
                r.packsWritten() == 1 ? "" : "s",
                r.blocksDeduplicated(), Units.seconds(r.durationNs()));
    }

    /** The one error line of a partial copy: how many points are missing in the target, and the first reason. */
    static String incomplete(final MoveResult r) {
        PointOutcome first = null;
        for (PointOutcome p : r.points()) {
            if (p.message() != null) {
                first = p;
                break;
            }
        }
        return String.format("copy of disk %s incomplete: %d of %d restore points in the target, %d not copied;"
                        + " first problem: %s: %s (run the copy again once it is fixed)",
                r.disk(), r.pointsCopied() + r.pointsSkipped(), r.points().size(), r.pointsFailed(),
                first == null ? "-" : first.id(), first == null ? "-" : first.message());
    }

    static Map<String, Object> toJson(final MoveResult r) {
        final Map<String, Object> m = Json.object();
        m.put("disk", r.disk());
        m.put("source", r.source().toString());
        m.put("target", r.target().toString());
        m.put("target_created", r.targetCreated());
        m.put("complete", r.complete());
        m.put("points_copied", r.pointsCopied());
        m.put("points_skipped", r.pointsSkipped());
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
