package io.cairn.tools;

import io.cairn.engine.backup.BackupJob;
import io.cairn.engine.backup.BackupResult;
import io.cairn.engine.source.BlockSource;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.Json;
import io.cairn.tools.cli.ProgressPrinter;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code cairn backup --repo DIR --disk NAME SOURCE [--json]}. */
final class BackupCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "disk", "workers", "bitmap"), Set.of("json"));
        if (a.positionals().size() != 1) {
            throw new UsageException(a.positionals().isEmpty() ? "missing SOURCE (a disk image file or block device)"
                    : "expected one SOURCE, got " + a.positionals());
        }
        final String disk = a.require("disk");
        if (!Ids.isDiskName(disk)) {
            throw new UsageException("invalid disk name '" + disk + "': use 1-64 of A-Z a-z 0-9 . _ -");
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final int workers = a.get("workers") == null ? Math.max(1, Runtime.getRuntime().availableProcessors())
                : Integer.parseInt(a.get("workers"));
        final BackupResult r = backup(repo, disk, a.positionals().getFirst(), a.get("bitmap"), workers, err);
        if (a.flag("json")) {
            out.println(Json.write(toJson(r)));
        } else {
            out.println(r.id());
        }
        return Cairn.OK;
    }

    static BackupResult backup(final Repository repo, final String disk, final Path source, final int workers,
                               final PrintStream err) throws Exception {
        return backup(repo, disk, source.toString(), workers, err);
    }

    static BackupResult backup(final Repository repo, final String disk, final String source, final int workers,
                               final PrintStream err) throws Exception {
        return backup(repo, disk, source, null, workers, err);
    }

    static BackupResult backup(final Repository repo, final String disk, final String source, final String bitmap,
                               final int workers, final PrintStream err) throws Exception {
        final List<String> warnings = new ArrayList<>();
        final ProgressPrinter progress = new ProgressPrinter(err, "backup " + disk);
        final BackupResult r;
        try (BlockSource src = Sources.open(source, bitmap, warnings::add)) {
            r = new BackupJob(repo, disk, progress, warnings::add, workers).run(src);
        } finally {
            progress.done();
        }
        for (String w : warnings) {
            err.println("cairn: warning: " + w);
        }
        err.println(summary(r));
        return r;
    }

    static String summary(final BackupResult r) {
        final long nonZero = (r.blocksTotal() - r.blocksZero()) * 1L;
        final double compression = r.bytesStored() == 0 ? Double.NaN : (double) r.bytesNewRaw() / r.bytesStored();
        final double dedup = r.blocksNew() == 0 ? Double.NaN : (double) nonZero / r.blocksNew();
        return String.format("backup %s: %s of %s, read %s, stored %s (new blocks %d, changed %d, zero %d, "
                        + "dedup %s, compression %s) in %s, %s; bottleneck: %s",
                r.id(), r.type(), r.disk(), Units.bytes(r.bytesRead()), Units.bytes(r.bytesStored()), r.blocksNew(),
                r.blocksChanged(), r.blocksZero(), Units.ratio(dedup), Units.ratio(compression),
                Units.seconds(r.durationNs()), Units.rate(r.virtualSize(), r.durationNs()), r.bottleneck());
    }

    static Map<String, Object> toJson(final BackupResult r) {
        final Map<String, Object> m = Json.object();
        m.put("id", r.id());
        m.put("disk", r.disk());
        m.put("type", r.type());
        m.put("parent", r.parent());
        m.put("change_detection", r.changeDetection());
        m.put("virtual_size", r.virtualSize());
        m.put("bytes_read", r.bytesRead());
        m.put("bytes_stored", r.bytesStored());
        m.put("bytes_new_raw", r.bytesNewRaw());
        m.put("blocks_total", r.blocksTotal());
        m.put("blocks_zero", r.blocksZero());
        m.put("blocks_changed", r.blocksChanged());
        m.put("blocks_new", r.blocksNew());
        m.put("blocks_dedup", r.blocksDedup());
        m.put("duration_s", r.durationSeconds());
        m.put("mb_per_s", r.mbPerSecond());
        m.put("direct_io", r.directIo());
        m.put("bottleneck", r.bottleneck());
        return m;
    }

    @Override
    public String help() {
        return """
                usage: cairn backup --repo DIR --disk NAME SOURCE [--bitmap NAME] [--json]

                Backs up SOURCE as disk NAME. SOURCE is a raw disk image file, a block device, a VHDX file
                (recognised by its signature; only allocated payload blocks are read) or an NBD export
                (nbd+unix:///EXPORT?socket=PATH or nbd://HOST:PORT/EXPORT; zero extents are skipped). The first backup of a disk
                is a full; later ones are incremental (every block hashed, only changed blocks stored).
                stdout: the new restore point's id (last line), or with --json one JSON object with id, disk, type,
                parent, bytes_read, bytes_stored, duration_s and more.
                  --bitmap NAME a QEMU dirty bitmap of the NBD export that records the writes since the previous
                                backup of this disk: only dirty blocks are read (change_detection "cbt:..."). If
                                the bitmap is missing or cannot be tied to the previous point, every block is
                                read and hashes compared, with a warning.
                  --workers N   hash/compress threads (default: number of cores)
                """;
    }
}
