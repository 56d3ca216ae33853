package io.cairn.engine.move;

import io.cairn.engine.DebugPause;
import io.cairn.engine.copy.RecordCopier;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.NotARepositoryException;
import io.cairn.format.PackCatalog;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.RepositoryConfigCodec;
import io.cairn.format.RepositoryLock;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.point.Manifest;
import io.cairn.format.point.PointLayout;
import io.cairn.format.point.PointReader;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code cairn move}: moves every restore point of one disk from a source repository to a target repository
 * (FORMAT.md section 13). Per point, oldest first: copy the records the target lacks ({@link RecordCopier}),
 * publish their packs, check every record of the point in the target ({@link TargetRecordCheck}, deep for the
 * copied ones), publish the point file byte for byte under the same id, check it, and only then delete it from the
 * source with {@link Repository#deletePoint}. A crash at any moment leaves each point restorable from at least one
 * repository; a rerun finds points already in the target (byte-identical files), checks them and finishes the job.
 * <p>
 * Both writer locks are held for the whole run, taken in the order of the repositories' real paths so that two
 * moves in opposite directions cannot each wait for the other (the locks are try-locks, so the second one exits 3
 * rather than waiting). A point that cannot be moved (damaged in the source, a conflicting file in the target) is
 * reported and left in the source; the other points still move. Other I/O errors (a full target) end the run.
 * <p>
 * Crash tests pause (see {@link DebugPause}) at {@code move-after-pack-publish}, {@code move-after-point-publish}
 * (the point in both repositories) and {@code move-after-source-delete}; each is passed once per pack or point, so
 * {@code NAME#K} picks the K-th.
 * <p>
 * {@link #copying} makes the same job a backup copy ({@code cairn copy}): the same per-point steps, but the source
 * keeps every point, and a point already in the target (byte-identical: an earlier copy published it only after
 * checking all its blocks there) is skipped without reading it again, so a copy run after each backup moves only
 * the new points and the blocks the target lacks. Its pause points are {@code copy-after-pack-publish} and
 * {@code copy-after-point-publish}.
 */
public final class MoveJob {
    /** Value in the run's id set: the id was met by the copy phase (so dedup counts it once). */
    static final long SEEN = 1;
    /** Value in the run's id set: the id's record in the target has been checked. */
    static final long VERIFIED = 2;

    private final Repository source;
    private final Consumer<String> warnings;
    private final Consumer<PointOutcome> onPoint;
    /** True for a copy: the source keeps its points. */
    private final boolean keepSource;
    /** "move" or "copy": lock holder names, pause points and messages. */
    private final String verb;

    /**
     * @param warnings receives damaged packs that were left out of an index (their blocks count as absent)
     * @param onPoint  receives each point's outcome as soon as it is known (for progress lines)
     */
    public MoveJob(final Repository source, final Consumer<String> warnings, final Consumer<PointOutcome> onPoint) {
        this(source, warnings, onPoint, false);
    }

    private MoveJob(final Repository source, final Consumer<String> warnings, final Consumer<PointOutcome> onPoint,
                    final boolean keepSource) {
        this.source = source;
        this.warnings = warnings;
        this.onPoint = onPoint;
        this.keepSource = keepSource;
        this.verb = keepSource ? "copy" : "move";
    }

    /** The backup copy job: as a move, but every point stays in the source (see the class comment). */
    public static MoveJob copying(final Repository source, final Consumer<String> warnings,
                                  final Consumer<PointOutcome> onPoint) {
        return new MoveJob(source, warnings, onPoint, true);
    }

    /**
     * Moves the restore points of {@code disk} to the repository at {@code targetDir}, creating it with the
     * source's settings when it does not exist or is an empty directory.
     *
     * @throws IllegalArgumentException when the source has no such disk, the target is the source, the target is a
     *                                  non-empty directory that is no repository, or the block sizes differ
     *                                  (nothing was changed)
     * @throws io.cairn.format.RepositoryLockedException when either repository's writer lock is held (its message
     *                                  names which); nothing was changed
     */
    public MoveResult run(final String disk, final Path targetDir) throws IOException {
        final long t0 = System.nanoTime();
        Ids.requireDiskName(disk);
        if (!source.disks().contains(disk)) {
            throw new IllegalArgumentException("the repository " + source.dir() + " has no restore points of disk '"
                    + disk + "'");
        }
        if (sameDirectory(source.dir(), targetDir)) {
            throw new IllegalArgumentException("the target " + targetDir + " is the source repository itself");
        }
        final Repository existing = openExisting(targetDir);
        if (existing != null) {
            requireCompatible(existing);
            final boolean sourceFirst = source.dir().toRealPath().toString()
                    .compareTo(existing.dir().toRealPath().toString()) < 0;
            final Repository first = sourceFirst ? source : existing;
            final Repository second = sourceFirst ? existing : source;
            try (RepositoryLock a = first.lockForWrite(command(disk, first));
                 RepositoryLock b = second.lockForWrite(command(disk, second))) {
                return moveLocked(disk, existing, false, t0);
            }
        }
        try (RepositoryLock a = source.lockForWrite(command(disk, source))) {
            final Repository created = Repository.init(targetDir, settingsOf(source.config()));
            try (RepositoryLock b = created.lockForWrite(command(disk, created))) {
                return moveLocked(disk, created, true, t0);
            }
        }
    }

    private String command(final String disk, final Repository lockedOne) {
        return verb + " --disk " + disk + (lockedOne == source ? " (source)" : " (target)");
    }

    private MoveResult moveLocked(final String disk, final Repository target, final boolean created, final long t0)
            throws IOException {
        final List<PointOutcome> outcomes = new ArrayList<>();
        final List<PointInfo> points = source.listPoints(disk, e -> report(outcomes, new PointOutcome(
                idOf(e.path()), PointOutcome.Status.FAILED, 0, 0, "restore point file damaged, left in the source: "
                + e.getMessage())));
        try (PackCatalog sourceCatalog = PackCatalog.load(source, 0, e -> warnings.accept(
                "source pack ignored (damaged); points needing its blocks cannot move: " + e.getMessage()));
             PackCatalog targetCatalog = PackCatalog.load(target, sourceCatalogEstimate(), e -> warnings.accept(
                     "target pack ignored (damaged); its blocks are copied again: " + e.getMessage()));
             BlockIndex runIds = new BlockIndex(Math.max(1024, sourceCatalog.index().size()));
             RecordCopier copier = new RecordCopier(source, sourceCatalog, target, targetCatalog,
                     verb + "-after-pack-publish");
             TargetRecordCheck check = new TargetRecordCheck(target, targetCatalog, targetCatalog.packCount(),
                     runIds)) {
            final long[] deduplicated = new long[1];
            for (PointInfo p : points) {
                report(outcomes, movePoint(p, target, copier, check, runIds, deduplicated));
            }
            return new MoveResult(disk, source.dir(), target.dir(), created, outcomes, copier.recordsCopied(),
                    copier.bytesCopied(), deduplicated[0], copier.packsPublished(), System.nanoTime() - t0);
        }
    }

    private long sourceCatalogEstimate() throws IOException {
        return Math.max(1024, source.packFiles().size() * 64L);
    }

    private void report(final List<PointOutcome> outcomes, final PointOutcome o) {
        outcomes.add(o);
        onPoint.accept(o);
    }

    /** Moves one point; returns how it ended. Throws only for I/O errors that end the whole run. */
    private PointOutcome movePoint(final PointInfo p, final Repository target, final RecordCopier copier,
                                   final TargetRecordCheck check, final BlockIndex runIds, final long[] deduplicated)
            throws IOException {
        final long records0 = copier.recordsCopied();
        final long bytes0 = copier.bytesCopied();
        final Path targetFile = target.pointPath(p.disk(), p.id());
        boolean resumed = false;
        boolean published = false;
        try (PointReader map = PointReader.open(p.path())) {
            map.verifyMap();
            if (Files.exists(targetFile)) {
                if (!PointFiles.sameBytes(p.path(), targetFile)) {
                    throw new PointConflictException(targetFile);
                }
                if (keepSource) { // copied by an earlier run, which checked every block before publishing it
                    return new PointOutcome(p.id(), PointOutcome.Status.SKIPPED, 0, 0, null);
                }
                resumed = true;
            }
            requireBlocksAvailable(map, copier);
            final long before = deduplicated[0];
            deduplicated[0] = before + copyBlocks(map, copier, runIds);
            copier.flush();
            check.checkBlocks(map);
            if (!resumed) {
                final Path tmp = target.pointTmpPath(p.id());
                PointFiles.copy(p.path(), tmp);
                target.publishPoint(p.disk(), p.id(), tmp);
                published = true;
                DebugPause.at(verb + "-after-point-publish");
            }
            checkPointFile(p, targetFile);
        } catch (CorruptRepositoryException | PointConflictException e) {
            copier.abort();
            if (published || resumed) { // the source keeps its copy; the target keeps no unchecked one
                dropTargetCopy(target, p, targetFile);
            }
            return new PointOutcome(p.id(), PointOutcome.Status.FAILED, copier.recordsCopied() - records0,
                    copier.bytesCopied() - bytes0, (keepSource ? "not copied: " : "not moved, left in the source: ")
                    + e.getMessage());
        }
        final long records = copier.recordsCopied() - records0;
        final long bytes = copier.bytesCopied() - bytes0;
        if (keepSource) {
            return new PointOutcome(p.id(), PointOutcome.Status.COPIED, records, bytes, null);
        }
        try {
            source.deletePoint(p);
        } catch (NoSuchFileException gone) {
            // removed meanwhile: it is in the target only, which is what a move wants
        } catch (IOException e) {
            return new PointOutcome(p.id(), PointOutcome.Status.NOT_REMOVED, records, bytes,
                    "copied and verified, not removed from source: " + e.getMessage());
        }
        DebugPause.at("move-after-source-delete");
        return new PointOutcome(p.id(), resumed ? PointOutcome.Status.SKIPPED : PointOutcome.Status.MOVED, records,
                bytes, null);
    }

    /** Every non-zero block must be in the target already or in an intact source pack: else copy nothing. */
    private static void requireBlocksAvailable(final PointReader map, final RecordCopier copier)
            throws CorruptRepositoryException {
        final long count = map.blockCount();
        for (long b = 0; b < count; b++) {
            final long hi = map.idHi(b);
            final long lo = map.idLo(b);
            if (!BlockId.isZero(hi, lo) && !copier.inTarget(hi, lo) && !copier.inSource(hi, lo)) {
                throw new CorruptRepositoryException(map.path(), PointLayout.HEADER_LENGTH + b * 16,
                        "block " + b + " (" + BlockId.toHex(hi, lo) + ") is in no intact pack of the source"
                                + " repository (run cairn verify on it)");
            }
        }
    }

    /** Copies what the target lacks; returns how many distinct ids, new to this run, the target already had. */
    private static long copyBlocks(final PointReader map, final RecordCopier copier, final BlockIndex runIds)
            throws IOException {
        long deduplicated = 0;
        final long count = map.blockCount();
        for (long b = 0; b < count; b++) {
            final long hi = map.idHi(b);
            final long lo = map.idLo(b);
            if (BlockId.isZero(hi, lo)) {
                continue;
            }
            final boolean copied = copier.copyIfAbsent(hi, lo);
            if (runIds.putIfAbsent(hi, lo, SEEN) && !copied) {
                deduplicated++;
            }
        }
        return deduplicated;
    }

    /** The published target file must equal the source file and open as a valid point of the same id and disk. */
    private static void checkPointFile(final PointInfo p, final Path targetFile) throws IOException {
        if (!PointFiles.sameBytes(p.path(), targetFile)) {
            throw new CorruptRepositoryException(targetFile, -1, "differs from the source's point file after copying");
        }
        try (PointReader r = PointReader.open(targetFile)) {
            r.verifyMap();
            if (!p.id().equals(r.manifest().get(Manifest.ID)) || !p.disk().equals(r.manifest().get(Manifest.DISK))) {
                throw new CorruptRepositoryException(targetFile, -1, "manifest id/disk differ from the file's path");
            }
        }
    }

    /** A point published in the target this run failed its check: remove it there, the source keeps its copy. */
    private void dropTargetCopy(final Repository target, final PointInfo p, final Path targetFile) {
        try {
            target.deletePoint(new PointInfo(p.id(), p.disk(), targetFile, p.virtualSize(), p.blockCount(),
                    p.manifest()));
        } catch (IOException e) {
            warnings.accept("could not remove the failed copy " + targetFile + " from the target: " + e.getMessage());
        }
    }

    /** The target repository, or null when targetDir does not exist or is an empty directory (to be created). */
    private static Repository openExisting(final Path targetDir) throws IOException {
        if (!Files.exists(targetDir)) {
            return null;
        }
        if (Files.isDirectory(targetDir) && !Files.exists(targetDir.resolve(RepositoryConfigCodec.FILE_NAME))) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(targetDir)) {
                if (!ds.iterator().hasNext()) {
                    return null;
                }
            }
            throw new IllegalArgumentException("the target " + targetDir + " is neither a Cairn repository nor an"
                    + " empty directory");
        }
        try {
            return Repository.open(targetDir);
        } catch (NotARepositoryException e) {
            throw new IllegalArgumentException("the target " + targetDir + " is not a Cairn repository ("
                    + e.getMessage() + ")");
        }
    }

    private void requireCompatible(final Repository target) {
        final RepositoryConfig s = source.config();
        final RepositoryConfig t = target.config();
        final String nothing = "; nothing was " + (keepSource ? "copied" : "moved");
        if (s.blockSize() != t.blockSize()) {
            throw new IllegalArgumentException("cannot " + verb + " between repositories of different block sizes: "
                    + source.dir() + " has " + s.blockSize() + " bytes, " + target.dir() + " has " + t.blockSize()
                    + " (a restore point's block map fits only its block size)" + nothing);
        }
        if (!s.blockIdAlgorithm().equals(t.blockIdAlgorithm())) {
            throw new IllegalArgumentException("cannot " + verb + " between repositories of different block id"
                    + " algorithms: " + s.blockIdAlgorithm() + " and " + t.blockIdAlgorithm() + nothing);
        }
    }

    /** A new repository's config with the source's settings (block size, compression, pack size), a new id. */
    static RepositoryConfig settingsOf(final RepositoryConfig s) {
        return new RepositoryConfig(RepositoryConfig.CURRENT_VERSION, Hex.of(Ids.random128()),
                Instant.now().truncatedTo(ChronoUnit.SECONDS), s.blockSize(), s.blockIdAlgorithm(), s.compression(),
                s.compressionLevel(), s.packSize());
    }

    private static boolean sameDirectory(final Path a, final Path b) throws IOException {
        if (!Files.exists(b)) {
            return false;
        }
        return Files.isSameFile(a, b);
    }

    private static String idOf(final Path pointFile) {
        final String n = pointFile.getFileName().toString();
        return n.endsWith(PointLayout.SUFFIX) ? n.substring(0, n.length() - PointLayout.SUFFIX.length()) : n;
    }
}
