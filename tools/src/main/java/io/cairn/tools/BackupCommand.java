package io.cairn.tools;

import io.cairn.engine.backup.BackupJob;
import io.cairn.engine.backup.BackupResult;
import io.cairn.engine.snapshot.ReflinkSnapshot;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.ChangeTracking;
import io.cairn.engine.source.qemu.NbdServerAddress;
import io.cairn.engine.source.qemu.QemuBackup;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.format.point.PointWriter;
import io.cairn.nativeio.FileSystemControl;
import io.cairn.nativeio.NativeIOException;
import io.cairn.tools.cli.Args;
import io.cairn.engine.json.Json;
import io.cairn.tools.cli.ProgressPrinter;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code cairn backup --repo DIR --disk NAME SOURCE [--bitmap NAME] [--snapshot reflink [--freeze MOUNTPOINT]]
 * [--json]}.
 *
 * <p>With {@code --snapshot reflink} the source file is cloned first ({@link ReflinkSnapshot}) and the clone is
 * read; the clone is deleted afterwards, also when the backup fails. The manifest's source still names the
 * original file, with " (reflink snapshot)" appended.
 */
final class BackupCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "disk", "workers", "read-stripes", "bitmap", "snapshot",
                "freeze", "qmp", "node", "nbd"), Set.of("json"));
        final String qmp = a.get("qmp");
        if (qmp != null || a.get("node") != null || a.get("nbd") != null) {
            return runQmp(a, out, err);
        }
        if (a.positionals().size() != 1) {
            throw new UsageException(a.positionals().isEmpty() ? "missing SOURCE (a disk image file or block device)"
                    : "expected one SOURCE, got " + a.positionals());
        }
        final String disk = disk(a);
        final String snapshot = a.get("snapshot");
        final String freeze = a.get("freeze");
        if (snapshot != null && !snapshot.equals("reflink")) {
            throw new UsageException("unknown --snapshot '" + snapshot + "': the only kind is 'reflink'");
        }
        if (freeze != null && snapshot == null) {
            throw new UsageException("--freeze MOUNTPOINT is valid only with --snapshot reflink");
        }
        if (snapshot != null && a.get("bitmap") != null) {
            throw new UsageException("--snapshot reflink takes an image file, not an NBD source with --bitmap");
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final Tuning workers = tuning(a);
        final String source = a.positionals().getFirst();
        final List<String> warnings = new ArrayList<>();
        final BackupResult r = snapshot == null
                ? backup(repo, disk, source, a.get("bitmap"), workers, warnings, err)
                : backupSnapshot(repo, disk, source, freeze == null ? null : Path.of(freeze), workers, warnings,
                err);
        print(r, warnings, a.flag("json"), out);
        return Cairn.OK;
    }

    private static void print(final BackupResult r, final List<String> warnings, final boolean json,
                              final PrintStream out) {
        if (json) {
            out.println(Json.write(toJson(r, warnings)));
        } else {
            out.println(r.id());
        }
    }

    private static String disk(final Args a) throws UsageException {
        final String disk = a.require("disk");
        if (!Ids.isDiskName(disk)) {
            throw new UsageException("invalid disk name '" + disk + "': use 1-64 of A-Z a-z 0-9 . _ -");
        }
        return disk;
    }

    /**
     * {@code --qmp QMP_SOCKET --node NODE [--nbd ADDRESS]}: back up a block node of a running QEMU; the frozen view,
     * bitmap rotation, export and clean-up are {@link QemuBackup}'s.
     */
    private static int runQmp(final Args a, final PrintStream out, final PrintStream err) throws Exception {
        if (a.get("qmp") == null || a.get("node") == null) {
            throw new UsageException("--qmp QMP_SOCKET and --node NODE go together (--nbd ADDRESS is optional)");
        }
        if (!a.positionals().isEmpty()) {
            throw new UsageException("--qmp takes no SOURCE argument, got " + a.positionals());
        }
        for (String other : List.of("bitmap", "snapshot", "freeze")) {
            if (a.get(other) != null) {
                throw new UsageException("--" + other + " cannot be combined with --qmp (Cairn manages the bitmaps)");
            }
        }
        final String disk = disk(a);
        final NbdServerAddress server;
        try {
            server = a.get("nbd") == null ? null : NbdServerAddress.parse(a.get("nbd"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        final Path qmpSocket = Path.of(a.get("qmp"));
        if (!Files.exists(qmpSocket)) {
            throw new NoSuchFileException(qmpSocket.toString(), null, "QMP socket does not exist");
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final Tuning workers = tuning(a);
        final List<String> warnings = new ArrayList<>();
        final BackupResult r = QemuBackup.run(repo, disk, qmpSocket, a.get("node"), server,
                Path.of(System.getProperty("java.io.tmpdir")), Sources.NBD_TIMEOUT, warnings::add,
                src -> runJob(repo, disk, src, warnings, workers, err));
        report(r, warnings, err);
        print(r, warnings, a.flag("json"), out);
        return Cairn.OK;
    }

    /** Threads and read order of one backup: {@code --workers N} and {@code --read-stripes N} (0: the default). */
    record Tuning(int workers, int readStripes) {
    }

    private static Tuning tuning(final Args a) {
        return new Tuning(a.intInRange("workers", 1, MAX_THREADS, defaultThreads()),
                a.intInRange("read-stripes", 1, MAX_READ_STRIPES, 0));
    }

    /** Each worker adds 4 slots (a block and its compressed copy each): 32 workers already hold ~280 MiB. */
    static final int MAX_THREADS = 32;

    /**
     * One per core, at most 16: 16 zstd-1 workers already outrun most storage, and the slot pool (and the
     * process's direct memory, capped with the heap at 512 MiB) grows with every worker.
     */
    static int defaultThreads() {
        return Math.max(1, Math.min(16, Runtime.getRuntime().availableProcessors()));
    }

    /** More stripes than the point writer has lanes would flush a lane at every turn. */
    static final int MAX_READ_STRIPES = PointWriter.LANES;

    static BackupResult backup(final Repository repo, final String disk, final Path source, final int workers,
                               final PrintStream err) throws Exception {
        return backup(repo, disk, source.toString(), null, new Tuning(workers, 0), new ArrayList<>(), err);
    }

    static BackupResult backup(final Repository repo, final String disk, final String source, final String bitmap,
                               final Tuning workers, final List<String> warnings, final PrintStream err)
            throws Exception {
        try (BlockSource src = Sources.open(source, bitmap, warnings::add)) {
            final BackupResult r = runJob(repo, disk, src, warnings, workers, err);
            report(r, warnings, err);
            return r;
        }
    }

    /** Runs the backup job with progress on stderr. */
    private static BackupResult runJob(final Repository repo, final String disk, final BlockSource src,
                                       final List<String> warnings, final Tuning tuning, final PrintStream err)
            throws IOException {
        final ProgressPrinter progress = new ProgressPrinter(err, "backup " + disk);
        try {
            return new BackupJob(repo, disk, progress, warnings::add, tuning.workers())
                    .readStripes(tuning.readStripes()).run(src);
        } finally {
            progress.done();
        }
    }

    /** Prints the warnings and the summary line on stderr. */
    private static void report(final BackupResult r, final List<String> warnings, final PrintStream err) {
        for (String w : warnings) {
            err.println("cairn: warning: " + w);
        }
        err.println(summary(r));
    }

    /**
     * Backs up a reflink clone of the image file {@code source}, taken inside a freeze of {@code freezeMountPoint}
     * when that is not null; the clone is deleted afterwards, also on failure.
     */
    static BackupResult backupSnapshot(final Repository repo, final String disk, final String source,
                                       final Path freezeMountPoint, final Tuning workers, final List<String> warnings,
                                       final PrintStream err)
            throws Exception {
        final Path image = Path.of(source);
        if (!Files.isRegularFile(image)) {
            throw new UsageException("--snapshot reflink needs a disk image file, not '" + source + "'");
        }
        final ReflinkSnapshot snap;
        try {
            snap = ReflinkSnapshot.take(image, null, freezeMountPoint);
        } catch (final IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        } catch (final NativeIOException e) {
            if (e.call().equals("ioctl") && FileSystemControl.isNoReflink(e.errno())
                    && e.getMessage().contains("does not support reflink")) {
                throw new IOException("the file system of " + image.toAbsolutePath() + " does not support reflink "
                        + "(" + e.errnoName() + "); no point-in-time copy taken, nothing backed up", e);
            }
            throw e;
        }
        try (snap; BlockSource src = new SnapshotSource(Sources.open(snap.clone().toString()),
                source + " (reflink snapshot)")) {
            final BackupResult r = runJob(repo, disk, src, warnings, workers, err);
            report(r, warnings, err);
            return r;
        }
    }

    /** Reads the clone and describes itself as the original file, so the manifest names what was backed up. */
    private record SnapshotSource(BlockSource reader, String description) implements BlockSource {
        @Override
        public long size() {
            return reader.size();
        }

        @Override
        public String describe() {
            return description;
        }

        @Override
        public String identity() {
            return reader.identity();
        }

        @Override
        public boolean readsInAnyOrder() {
            return reader.readsInAnyOrder();
        }

        @Override
        public long nextData(final long offset) throws IOException {
            return reader.nextData(offset);
        }

        @Override
        public long nextHole(final long offset) throws IOException {
            return reader.nextHole(offset);
        }

        @Override
        public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
            reader.read(dst, offset, length);
        }

        @Override
        public Optional<AsyncReader> asyncReader(final int depth) throws IOException {
            return reader.asyncReader(depth);
        }

        @Override
        public ChangeTracking changeTracking() throws IOException {
            return reader.changeTracking();
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
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

    static Map<String, Object> toJson(final BackupResult r, final List<String> warnings) {
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
        m.put("warnings", List.copyOf(warnings));
        return m;
    }

    @Override
    public String help() {
        return """
                usage: cairn backup --repo DIR --disk NAME SOURCE [--bitmap NAME]
                                   [--snapshot reflink [--freeze MOUNTPOINT]] [--json]
                       cairn backup --repo DIR --disk NAME --qmp QMP_SOCKET --node NODE [--nbd ADDRESS] [--json]

                Backs up SOURCE as disk NAME. SOURCE is a raw disk image file, a block device, a VHDX file
                (recognised by its signature; only allocated payload blocks are read) or an NBD export
                (nbd+unix:///EXPORT?socket=PATH or nbd://HOST:PORT/EXPORT; zero extents are skipped). The first backup of a disk
                is a full; later ones are incremental (every block hashed, only changed blocks stored).
                stdout: the new restore point's id (last line), or with --json one JSON object with id, disk, type,
                parent, change_detection (full-read, hash-compare or cbt:...),
                bytes_read (bytes actually read from the source), bytes_stored, duration_s, warnings and more.
                  --bitmap NAME a QEMU dirty bitmap of the NBD export that records the writes since the previous
                                backup of this disk: only dirty blocks are read (change_detection "cbt:..."). If
                                the bitmap is missing or cannot be tied to the previous point, every block is
                                read and hashes compared, with a warning.
                  --snapshot reflink
                                read a reflink clone (FICLONE) of the image file SOURCE instead of SOURCE itself:
                                a crash-consistent point-in-time copy while the image is being written. Needs a
                                file system with reflink (XFS with reflink=1, btrfs); on any other it fails and
                                says so. The hidden clone .NAME.cairn-snap-PID is deleted afterwards.
                  --freeze MOUNTPOINT
                                with --snapshot reflink: freeze the file system mounted at MOUNTPOINT (one that
                                lives inside the image, e.g. a loop-mounted image) around the clone, at most
                                10 s, and thaw it again.
                  --qmp QMP_SOCKET --node NODE
                                back up block node NODE of a running QEMU or qemu-storage-daemon through its QMP
                                socket. Cairn takes a point-in-time view (fleecing: a temporary qcow2 overlay in
                                the temp directory plus blockdev-backup sync=none), rotates its persistent dirty
                                bitmaps cairn-NAME-N in the same transaction, exports the view over NBD and cleans
                                everything up afterwards (also what a killed run left). The first backup reads the
                                allocated extents; later ones only what the bitmap of the previous point marks
                                (change_detection "cbt:qemu-bitmap:..."); if that bitmap is missing or does not
                                belong to the previous point, every allocated block is read and hashes compared,
                                with a warning. Do not run two backups of the same node at once.
                  --nbd ADDRESS the NBD server that QEMU already runs (unix socket path or HOST:PORT): Cairn adds
                                and removes its own export there. Without it Cairn starts a server on a private
                                unix socket and stops it afterwards.
                  --workers N   hash/compress threads, 1 to 32 (default: number of cores, at most 16)
                  --read-stripes N
                                read an image file or block device as N stripes in turn (1 to 8; default 4-7,
                                5 on 2 cores), so that reading empty space overlaps compressing data; 1 reads
                                front to back, for a source on a spinning disk. Ignored with change tracking
                """;
    }
}
