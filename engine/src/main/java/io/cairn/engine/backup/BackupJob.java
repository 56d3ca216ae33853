package io.cairn.engine.backup;

import io.cairn.engine.Background;
import io.cairn.engine.CairnVersion;
import io.cairn.engine.DebugPause;
import io.cairn.engine.PhaseClock;
import io.cairn.engine.PipelineIdle;
import io.cairn.engine.Progress;
import io.cairn.engine.Threads;
import io.cairn.engine.codec.BlockCompressor;
import io.cairn.engine.codec.ZeroDetector;
import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.ChangeTracking;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Ids;
import io.cairn.format.PackCatalog;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.RepositoryLock;
import io.cairn.format.immutable.ImmutableAttributeException;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.point.Manifest;
import io.cairn.format.point.PointLayout;
import io.cairn.format.point.PointReader;
import io.cairn.format.point.PointWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One backup of one disk into a repository: the pipeline
 * <pre>
 *  reader ──ring──▶ worker 0 (zero? hash, parent map, base index, zstd, crc) ──ring──▶ ┐
 *         ──ring──▶ worker 1                                                 ──ring──▶ ├ writer (this thread):
 *    ▲                                                                                  │ session dedup, pack
 *    └──────────────────────────── free slots ring ◀───────────────────────────────────┘ append, block map
 * </pre>
 * then the commit protocol of FORMAT.md section 6: packs sealed, synced and published first, then the point.
 * <p>
 * Design note: dedup against everything already in the repository happens in the workers, in the base index
 * frozen at start (so concurrent reads are safe and a known block is never compressed). Blocks new in this run
 * go into a session index that only the writer touches; two identical new blocks in one run may both be
 * compressed, and the writer stores the first and drops the second.
 */
public final class BackupJob {
    private final Repository repo;
    private final String disk;
    private final Progress progress;
    private final Consumer<String> warnings;
    private final int workers;
    private int readStripes;

    public BackupJob(final Repository repo, final String disk, final Progress progress,
                     final Consumer<String> warnings) {
        this(repo, disk, progress, warnings, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public BackupJob(final Repository repo, final String disk, final Progress progress,
                     final Consumer<String> warnings, final int workers) {
        this.repo = repo;
        this.disk = Ids.requireDiskName(disk);
        this.progress = progress;
        this.warnings = warnings;
        this.workers = workers;
    }

    /**
     * Stripes of the disk read in turn (see SourceReaderAgent#readStripes): 0 (the default) picks
     * {@link #defaultStripes}, 1 reads front to back (for a source on a spinning disk). Applies to sources that
     * read as fast in any order ({@link BlockSource#readsInAnyOrder}) when change tracking does not pick the
     * blocks.
     */
    public BackupJob readStripes(final int n) {
        if (n < 0) {
            throw new IllegalArgumentException("read stripes " + n);
        }
        this.readStripes = n;
        return this;
    }

    /**
     * At least 4, at most the point writer's lanes (beyond, its map entries would be flushed at every turn), and
     * coprime with the worker count: messages are dealt to the workers round-robin, so with a common factor a
     * worker would see only some stripes (all data or all empty space) and the cores would not share the
     * compression. 5 for 2 workers, 7 for 6 or 8.
     */
    static int defaultStripes(final int workers) {
        for (int s = Math.max(4, workers + 1); s <= PointWriter.LANES; s++) {
            if (gcd(s, workers) == 1) {
                return s;
            }
        }
        for (int s = PointWriter.LANES; s > 1; s--) {
            if (gcd(s, workers) == 1) {
                return s;
            }
        }
        return 1;
    }

    private static int gcd(final int a, final int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Backs up the source; the restore point is durable when this returns. */
    public BackupResult run(final BlockSource source) throws IOException {
        try (RepositoryLock ignored = repo.lockForWrite("backup --disk " + disk)) {
            return runLocked(source);
        }
    }

    private BackupResult runLocked(final BlockSource source) throws IOException {
        DebugPause.at("backup-after-lock");
        PhaseClock.mark("backup locked");
        final long t0 = System.nanoTime();
        final Instant started = Instant.now();
        final RepositoryConfig cfg = repo.config();
        final boolean zstd = cfg.compression().equals("zstd");
        final int level = cfg.compressionLevel();
        if (zstd) {
            BlockCompressor.preloadInBackground(); // overlaps the catalog load below (its javadoc has the numbers)
        }
        final int blockSize = cfg.blockSize();
        final int slotCount = Math.max(4, workers * 4 + 2 + SourceReaderAgent.QUEUE_DEPTH); // reads in flight too
        // tens of MiB the JDK zeroes: allocated on another core while the catalog loads (Background's javadoc)
        final FutureTask<BlockSlots> slotsAllocation = Background.start("cairn-slot-alloc",
                () -> new BlockSlots(slotCount, blockSize));
        final long size = source.size();
        final long blockCount = PointLayout.blockCount(size, blockSize);
        final PointInfo parentInfo = repo.latestPoint(disk,
                e -> warnings.accept("ignoring damaged restore point: " + e.getMessage()));
        final String pointId = Ids.newPointId(System.currentTimeMillis());
        final boolean attributeWarned = checkImmutability();
        PhaseClock.mark("backup parent found");

        try (PackCatalog catalog = PackCatalog.load(repo, blockCount / 4,
                e -> warnings.accept("pack ignored, its blocks will be stored again: " + e.getMessage()));
             BlockIndex session = new BlockIndex(Math.max(1024, blockCount / 4));
             PointReader parent = parentInfo == null ? null : PointReader.open(parentInfo.path());
             Arena arena = Arena.ofShared();
             PackSink sink = new PackSink(repo, catalog, session)) {
            PhaseClock.mark("backup catalog loaded");
            final PipelineState state = new PipelineState();
            final BlockSlots slots = Background.await(slotsAllocation);
            final OneToOneBlockRing[] toWorkers = new OneToOneBlockRing[workers];
            final OneToOneBlockRing[] fromWorkers = new OneToOneBlockRing[workers];
            // every slot must fit in the free ring at once (32 bytes a message, one spare)
            final OneToOneBlockRing free = new OneToOneBlockRing(arena,
                    Math.max(4096, Integer.highestOneBit((slotCount + 1) * 32) * 2));
            for (int i = 0; i < slotCount; i++) {
                if (!free.offer(OneToOneBlockRing.BLOCK, i, -1, 0)) {
                    throw new IllegalStateException("free-slot ring too small for " + slotCount + " slots");
                }
            }
            final List<HashCompressAgent> agents = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            final ZeroDetector zeros = new ZeroDetector(arena, blockSize);
            // made by each worker at its first new block: an unchanged disk never waits for zstd to load
            final Supplier<BlockCompressor> compressors = zstd ? () -> new BlockCompressor(level) : null;
            for (int w = 0; w < workers; w++) {
                toWorkers[w] = new OneToOneBlockRing(arena, 4096);
                fromWorkers[w] = new OneToOneBlockRing(arena, 4096);
                agents.add(new HashCompressAgent(toWorkers[w], fromWorkers[w], slots, state, PipelineIdle.strategy(),
                        catalog.index(), parent, compressors, zeros));
            }
            final SourceReaderAgent reader = new SourceReaderAgent(source, slots, toWorkers, free, state,
                    PipelineIdle.strategy(), blockSize, blockCount);
            final ChangeTracking tracking = usableChangeTracking(source, parent, parentInfo);
            final String changeDetection = parent == null ? "full-read"
                    : tracking == null ? "hash-compare" : CBT_PREFIX + tracking.describe();
            long blocksReread = 0;
            if (tracking == null && source.readsInAnyOrder()) {
                reader.readStripes(readStripes > 0 ? readStripes : defaultStripes(workers));
            }
            if (tracking != null) {
                reader.useChangeTracking(tracking, parent.blockCount());
                final long[] reread = ParentBlocksToReread.find(parent, catalog.index());
                reader.forceReads(reread);
                blocksReread = ParentBlocksToReread.count(reread);
            }
            threads.add(Thread.ofPlatform().name("cairn-reader").daemon().unstarted(reader));
            for (int w = 0; w < workers; w++) {
                threads.add(Thread.ofPlatform().name("cairn-worker-" + w).daemon().unstarted(agents.get(w)));
            }
            final Path tmpPoint = repo.pointTmpPath(pointId);
            final PointWriter point = PointWriter.create(tmpPoint, blockSize, size);
            final WriterStage writer = new WriterStage(slots, fromWorkers, free, state, PipelineIdle.strategy(), sink,
                    point, parent, blockSize, size, progress);
            threads.forEach(Thread::start);
            PhaseClock.mark("backup pipeline started");
            try {
                writer.run();
            } catch (Throwable t) {
                state.fail(t);
            } finally {
                Threads.joinAll(threads);
                agents.forEach(HashCompressAgent::closeCompressor);
            }
            PhaseClock.mark("backup pipeline done");
            if (state.failed()) {
                point.abort();
                sink.abort();
                throw Threads.asIOException(state.failure());
            }
            try {
                sink.finish();
            } catch (IOException | RuntimeException e) {
                point.abort(); // else its channel stays open and its tmp file stays behind
                throw e;
            }
            final long durationNs = System.nanoTime() - t0;
            final boolean incremental = parentInfo != null;
            final Manifest m = new Manifest()
                    .put(Manifest.ID, pointId)
                    .put(Manifest.DISK, disk)
                    .put(Manifest.TYPE, incremental ? "incremental" : "full")
                    .put(Manifest.PARENT, incremental ? parentInfo.id() : "")
                    .put(Manifest.CREATED, Instant.now().toString())
                    .put(Manifest.STARTED, started.toString())
                    .put(Manifest.VIRTUAL_SIZE, size)
                    .put(Manifest.BLOCK_SIZE, blockSize)
                    .put(Manifest.SOURCE, source.describe())
                    .put(Manifest.SOURCE_IDENTITY, source.identity())
                    .put(Manifest.REPOSITORY_ID, cfg.repositoryId())
                    .put(Manifest.CHANGE_DETECTION, changeDetection)
                    .put("blocks_unchanged_by_tracking", writer.blocksUnchanged)
                    .put(Manifest.BLOCKS_TOTAL, blockCount)
                    .put(Manifest.BLOCKS_ZERO, writer.blocksZero)
                    .put(Manifest.BLOCKS_CHANGED, incremental ? writer.blocksChanged : blockCount - writer.blocksZero)
                    .put(Manifest.BLOCKS_NEW, sink.blocksNew())
                    .put(Manifest.BYTES_READ, reader.bytesRead())
                    .put(Manifest.BYTES_NEW_RAW, sink.bytesNewRaw())
                    .put(Manifest.BYTES_STORED, sink.bytesStored())
                    .put(Manifest.DURATION_MS, durationNs / 1_000_000)
                    .put(Manifest.CAIRN_VERSION, CairnVersion.VERSION);
            source.manifestEntries().forEach(m::put);
            if (tracking != null) {
                m.put(BLOCKS_REREAD_DAMAGED, blocksReread);
            }
            try {
                DebugPause.at("before-point-finish");
                point.finish(m);
                DebugPause.at("before-point-publish");
                repo.publishPoint(disk, pointId, tmpPoint);
                DebugPause.at("after-point-publish");
                PhaseClock.mark("backup point published");
            } catch (IOException | RuntimeException e) {
                point.abort();
                throw e;
            }
            final ImmutableAttributeException lost = repo.immutability().publishFailure();
            if (lost != null && !attributeWarned) {
                warnings.accept(unprotectedWarning(lost));
            }
            long workerBusy = 0;
            for (HashCompressAgent a : agents) {
                workerBusy += a.busyNs();
            }
            return new BackupResult(pointId, disk, incremental ? "incremental" : "full",
                    incremental ? parentInfo.id() : null, changeDetection, size,
                    blockCount, writer.blocksZero, incremental ? writer.blocksChanged : blockCount - writer.blocksZero,
                    sink.blocksNew(), writer.blocksDedup + sink.blocksDedupInRun(), reader.bytesRead(),
                    sink.bytesNewRaw(), sink.bytesStored(), durationNs, reader.busyNs(), workerBusy, writer.busyNs,
                    workers, source instanceof FileBlockSource f && f.isDirect());
        }
    }

    static final String CBT_PREFIX = "cbt:";
    /**
     * Manifest key (FORMAT.md section 11): blocks that change tracking called unchanged but that were read anyway,
     * because the parent's id for them had no intact record.
     */
    public static final String BLOCKS_REREAD_DAMAGED = "blocks_reread_damaged";

    /**
     * Under an immutability policy (FORMAT.md section 12), tries the attribute before anything is written: a
     * repository moved to a file system without it, or a backup run without CAP_LINUX_IMMUTABLE, still backs up
     * (the data matters more), but says loudly that the new files are only recorded as protected.
     *
     * @return true when it warned
     */
    private boolean checkImmutability() throws IOException {
        try {
            if (repo.immutability().record().policyDays() == 0) {
                return false;
            }
        } catch (CorruptRepositoryException e) {
            warnings.accept("IMMUTABILITY NOT ENFORCED: the immutability record is damaged (" + e.getMessage()
                    + "); this backup's new packs and restore point are NOT protected. Run cairn verify");
            return true;
        }
        try {
            repo.immutability().probe();
            return false;
        } catch (ImmutableAttributeException e) {
            warnings.accept(unprotectedWarning(e));
            return true;
        }
    }

    private String unprotectedWarning(final ImmutableAttributeException e) {
        if (e.kind() == ImmutableAttributeException.Kind.RECORD_DAMAGED) {
            return "IMMUTABILITY NOT ENFORCED: " + e.getMessage() + "; this backup's new files are NOT protected";
        }
        return "IMMUTABILITY NOT ENFORCED: this repository's policy protects new files, but " + e.getMessage()
                + ". The new packs and restore point are recorded as protected (Cairn will not delete them early),"
                + " but they do NOT carry the immutable attribute: anyone with write access can delete them";
    }

    /**
     * The source's change tracking when it can be trusted against the parent, else null: no parent means a full
     * read, and tracking that is offered but unusable means hash comparison with a warning (never a silent gap).
     * <p>
     * An externally managed bitmap ({@code --bitmap}) is the caller's statement that it records every write
     * since the parent point: Cairn checks what it can (the bitmap exists, the disk size is unchanged) and
     * records {@code change_detection=cbt:dirty-bitmap:NAME} in the manifest.
     */
    private ChangeTracking usableChangeTracking(final BlockSource source, final PointReader parent,
                                                final PointInfo parentInfo) {
        if (parent == null) {
            return null;
        }
        final ChangeTracking tracking;
        try {
            tracking = source.changeTracking();
        } catch (IOException e) {
            warnings.accept("change tracking unreadable, falling back to hash comparison: " + e.getMessage());
            return null;
        }
        if (tracking != null && tracking.basePointId() != null && !tracking.basePointId().equals(parentInfo.id())) {
            warnings.accept(tracking.describe() + " records the writes since restore point " + tracking.basePointId()
                    + ", but the latest restore point is " + parentInfo.id() + ": falling back to hash comparison");
            return null;
        }
        if (tracking != null && parent.virtualSize() != source.size()) {
            warnings.accept("disk size changed since the parent restore point (" + parent.virtualSize() + " -> "
                    + source.size() + "): " + tracking.describe() + " ignored, falling back to hash comparison");
            return null;
        }
        return tracking;
    }

}
