package io.cairn.tools;

import io.cairn.engine.restore.RestoreFormat;
import io.cairn.engine.restore.RestoreJob;
import io.cairn.engine.restore.RestoreResult;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.point.PointLayout;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.ProgressPrinter;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** {@code cairn restore --repo DIR --disk NAME [--point ID|latest] --to PATH [--force] [--no-sync]}. */
final class RestoreCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "disk", "point", "to", "threads", "format"), Set.of("force", "no-sync"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final String disk = a.require("disk");
        final String pointArg = a.get("point") == null ? "latest" : a.get("point");
        final List<String> skipped = new ArrayList<>();
        final PointInfo point = resolve(repo, disk, pointArg, skipped::add);
        for (String w : skipped) {
            err.println("cairn: warning: " + w);
        }
        final int threads = a.intInRange("threads", 1, BackupCommand.MAX_THREADS, BackupCommand.defaultThreads());
        final Path to = Path.of(a.require("to"));
        final RestoreFormat format;
        try {
            format = RestoreFormat.choose(a.get("format"), to);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        final RestoreResult r = restore(repo, point, to, a.flag("force"), threads, format, a.flag("no-sync"), err);
        out.println(r.target());
        return Cairn.OK;
    }

    static PointInfo resolve(final Repository repo, final String disk, final String pointArg) throws IOException {
        return resolve(repo, disk, pointArg, w -> { });
    }

    /**
     * The point to restore. A damaged point file is never restored: asked for by id, it is an error that says so;
     * when "latest" has to skip damaged points newer than the one it picks, {@code warnings} hears which (ids are
     * UUIDv7, so file names sort by time).
     */
    static PointInfo resolve(final Repository repo, final String disk, final String pointArg,
                             final Consumer<String> warnings) throws IOException {
        final List<CorruptRepositoryException> damaged = new ArrayList<>();
        final List<PointInfo> points = repo.listPoints(disk, damaged::add);
        if (pointArg.equals("latest")) {
            final String latest = points.isEmpty() ? "" : points.getLast().id() + PointLayout.SUFFIX;
            for (CorruptRepositoryException e : damaged) {
                if (e.path() == null || e.path().getFileName().toString().compareTo(latest) > 0) {
                    warnings.accept("newer restore point is damaged, skipped: " + e.getMessage());
                }
            }
            if (points.isEmpty()) {
                throw new IOException("disk '" + disk + "' has no " + (damaged.isEmpty() ? "" : "intact ")
                        + "restore points in " + repo.dir());
            }
            return points.getLast();
        }
        for (PointInfo p : points) {
            if (p.id().equals(pointArg)) {
                return p;
            }
        }
        for (CorruptRepositoryException e : damaged) {
            if (e.path() != null && e.path().getFileName().toString().equals(pointArg + PointLayout.SUFFIX)) {
                throw e;
            }
        }
        throw new IOException("no restore point " + pointArg + " of disk '" + disk + "' in " + repo.dir()
                + " (see cairn list)");
    }

    static RestoreResult restore(final Repository repo, final PointInfo point, final Path to, final boolean force,
                                 final int threads, final PrintStream err) throws IOException {
        return restore(repo, point, to, force, threads, RestoreFormat.RAW, err);
    }

    static RestoreResult restore(final Repository repo, final PointInfo point, final Path to, final boolean force,
                                 final int threads, final RestoreFormat format, final PrintStream err)
            throws IOException {
        return restore(repo, point, to, force, threads, format, false, err);
    }

    static RestoreResult restore(final Repository repo, final PointInfo point, final Path to, final boolean force,
                                 final int threads, final RestoreFormat format, final boolean noSync,
                                 final PrintStream err) throws IOException {
        final ProgressPrinter progress = new ProgressPrinter(err, "restore " + point.disk());
        // Warnings are printed after a success; a failure folds them into its one error line (they say why).
        final List<String> warnings = new CopyOnWriteArrayList<>();
        final RestoreResult r;
        try {
            final RestoreJob job = new RestoreJob(repo, progress, warnings::add, threads);
            r = (noSync ? job.withoutSync() : job).run(point, to, force, format);
        } catch (IOException e) {
            if (warnings.isEmpty()) {
                throw e;
            }
            throw new IOException(Cairn.describe(e) + " (" + String.join("; ", warnings) + ")", e);
        } finally {
            progress.done();
        }
        for (String w : warnings) {
            err.println("cairn: warning: " + w);
        }
        final String sync = r.durable()
                ? String.format("final sync %s (after %d background syncs, %s)", Units.seconds(r.syncNs()),
                        r.backgroundSyncs(), Units.seconds(r.backgroundSyncNs()))
                : "not synced (--no-sync: the data may still sit in the device's volatile cache)";
        err.printf("restore %s of %s to %s: %s (%d data blocks, %d zero blocks, wrote %s in %d writes) in %s, %s;"
                        + " %s; bottleneck: %s%n",
                r.pointId(), r.disk(), r.target(), Units.bytes(r.virtualSize()), r.blocksData(), r.blocksZero(),
                Units.bytes(r.bytesWritten()), r.writes(), Units.seconds(r.durationNs()),
                Units.rate(r.virtualSize(), r.durationNs()), sync, r.bottleneck());
        return r;
    }

    @Override
    public String help() {
        return """
                usage: cairn restore --repo DIR --disk NAME [--point ID|latest] --to PATH [--force] [--format raw|vhdx]
                                    [--no-sync]

                Restores a restore point (default: the latest) to a file (written sparse, as PATH.cairn-partial and
                renamed when complete) or a block device, checking every block's CRC and id as it is read.
                  --force       replace an existing file at PATH
                  --format F    raw (default) or vhdx (a dynamic VHDX; the default when PATH ends in .vhdx)
                  --threads N   decode threads, 1 to 32 (default: cores, at most 16; reads and writes have their own)
                  --no-sync     never sync raw files and devices: returns as soon as the last write returns
                                (like zstd -d, borg extract, restic restore); the device may still hold the data in
                                its volatile cache, and a crash soon after can lose it. For scratch restores.
                                Without it (the default) the restored disk is on stable storage when cairn exits.
                """;
    }
}
