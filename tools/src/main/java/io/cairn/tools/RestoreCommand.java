package io.cairn.tools;

import io.cairn.engine.restore.RestoreJob;
import io.cairn.engine.restore.RestoreResult;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.ProgressPrinter;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code cairn restore --repo DIR --disk NAME [--point ID|latest] --to PATH [--force]}. */
final class RestoreCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "disk", "point", "to", "threads"), Set.of("force"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final String disk = a.require("disk");
        final String pointArg = a.get("point") == null ? "latest" : a.get("point");
        final PointInfo point = resolve(repo, disk, pointArg);
        final int threads = a.get("threads") == null ? Math.max(1, Runtime.getRuntime().availableProcessors())
                : Integer.parseInt(a.get("threads"));
        final RestoreResult r = restore(repo, point, Path.of(a.require("to")), a.flag("force"), threads, err);
        out.println(r.target());
        return Cairn.OK;
    }

    static PointInfo resolve(final Repository repo, final String disk, final String pointArg) throws IOException {
        if (pointArg.equals("latest")) {
            final PointInfo p = repo.latestPoint(disk, e -> { });
            if (p == null) {
                throw new IOException("disk '" + disk + "' has no restore points in " + repo.dir());
            }
            return p;
        }
        final PointInfo p = repo.findPoint(disk, pointArg);
        if (p == null) {
            throw new IOException("no restore point " + pointArg + " of disk '" + disk + "' in " + repo.dir()
                    + " (see cairn list)");
        }
        return p;
    }

    static RestoreResult restore(final Repository repo, final PointInfo point, final Path to, final boolean force,
                                 final int threads, final PrintStream err) throws IOException {
        final ProgressPrinter progress = new ProgressPrinter(err, "restore " + point.disk());
        final RestoreResult r;
        try {
            r = new RestoreJob(repo, progress, w -> err.println("cairn: warning: " + w), threads)
                    .run(point, to, force);
        } finally {
            progress.done();
        }
        err.printf("restore %s of %s to %s: %s (%d data blocks, %d zero blocks, wrote %s) in %s, %s%n",
                r.pointId(), r.disk(), r.target(), Units.bytes(r.virtualSize()), r.blocksData(), r.blocksZero(),
                Units.bytes(r.bytesWritten()), Units.seconds(r.durationNs()),
                Units.rate(r.virtualSize(), r.durationNs()));
        return r;
    }

    @Override
    public String help() {
        return """
                usage: cairn restore --repo DIR --disk NAME [--point ID|latest] --to PATH [--force]

                Restores a restore point (default: the latest) to a file (written sparse, as PATH.cairn-partial and
                renamed when complete) or a block device, checking every block's CRC and id as it is read.
                  --force       replace an existing file at PATH
                  --threads N   restore threads (default: number of cores)
                """;
    }
}
