package io.cairn.tools;

import io.cairn.engine.json.Json;
import io.cairn.engine.move.MoveJob;
import io.cairn.engine.move.MoveResult;
import io.cairn.engine.move.PointOutcome;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.UsageException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What {@code cairn move} and {@code cairn copy} share: the options ({@code --repo DIR --disk NAME --to-repo DIR2
 * [--json]}), running the {@link MoveJob} with one stdout line per restore point (or one JSON object at the end),
 * the warnings and summary on stderr, and exit 1 when the job did not complete. Subclasses say which job, and
 * word the lines, the summary and their JSON counts.
 */
abstract class PointTransferCommand implements Command {
    /** The job to run on the source repository. */
    abstract MoveJob job(Repository source, Consumer<String> warnings, Consumer<PointOutcome> onPoint);

    /** One stdout line for a restore point's outcome. */
    abstract String line(PointOutcome p);

    /** The stderr summary of a complete run. */
    abstract String summary(MoveResult r);

    /** The one error line of an incomplete run. */
    abstract String incomplete(MoveResult r);

    /** The JSON keys that count restore points by outcome. */
    abstract void putPointCounts(Map<String, Object> m, MoveResult r);

    @Override
    public final int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
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
            r = job(repo, warnings::add, p -> {
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

    /** The first point outcome with a message (why it failed or was not removed), or null. */
    static PointOutcome firstProblem(final MoveResult r) {
        for (PointOutcome p : r.points()) {
            if (p.message() != null) {
                return p;
            }
        }
        return null;
    }

    private Map<String, Object> toJson(final MoveResult r) {
        final Map<String, Object> m = Json.object();
        m.put("disk", r.disk());
        m.put("source", r.source().toString());
        m.put("target", r.target().toString());
        m.put("target_created", r.targetCreated());
        m.put("complete", r.complete());
        putPointCounts(m, r);
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
}
