package io.cairn.engine.restore;

import io.cairn.engine.Background;
import io.cairn.engine.DebugPause;
import io.cairn.engine.PipelineIdle;
import io.cairn.engine.Progress;
import io.cairn.engine.Threads;
import io.cairn.engine.codec.DirectBuffers;
import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.PackCatalog;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.point.PointReader;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * Restores one restore point to a file, block device or VHDX file, bit-exact, through the pipeline
 * <pre>
 *  reader ──ring──▶ decode worker 0 (record checks, CRC32C, zstd, XXH3-128 re-hash) ──ring──▶ ┐
 *  (io_uring,├─ring──▶ decode worker 1                                           ──ring──▶ ├ writer (this thread):
 *  O_DIRECT) ▲                                                                                │ runs of blocks in
 *            └──────────────────────────── free slots ring ◀─────────────────────────────────┘ multi-MiB pwrites
 * </pre>
 * with an fdatasync of the target in the background every {@link #SYNC_INTERVAL_BYTES} written (see
 * {@link RestoreSyncer}), then one final fdatasync and, for a file, the rename into place (see
 * {@link RestoreTarget}).
 * <p>
 * Every record's header CRC, lengths, id and data CRC are checked, and every block is re-hashed against its id
 * before it is written; the first failure stops every stage, and the partial file is deleted.
 * <p>
 * Sizing: slots for one write run ({@link #WRITE_RUN_BYTES}), the reads in flight and one per worker plus two
 * in the rings; so about 20 MiB of output and 20 MiB of input buffers at 1 MiB blocks, whatever the disk size.
 * <p>
 * Compact beside a restore (FORMAT.md section 10): restore takes no lock. A pack already open stays readable (an
 * unlinked file lives while it is open); a pack that is gone when first needed, or a block the catalog does not
 * know, makes the reader reload the catalog (keeping ordinals) and retry, a bounded number of times. Tests pause
 * the job at {@code restore-after-catalog-load} (see {@link DebugPause}).
 */
public final class RestoreJob {
    /** Largest write: enough for a device to stream, small enough to keep the slot pool small. */
    static final int WRITE_RUN_BYTES = 8 << 20;
    /** Bytes of reads in flight to aim for: 8 reads of 1 MiB blocks, fewer of larger ones. */
    private static final int READ_AHEAD_BYTES = 16 << 20;
    /**
     * Bytes written between background syncs: small enough that the final sync has little left, large enough
     * that the syncs (each a journal commit and a device cache flush) stay few. Measured on the build machine,
     * restoring 1.9 GB of a 4 GiB image: the final sync took 0.3-1.3 s without, 0.03-0.05 s at 64 MiB (26 syncs),
     * 0.02-0.16 s at 128 MiB (13), 0.12-0.18 s at 256 MiB, 0.12-0.19 s at 512 MiB; the background syncs' own time
     * (1-1.7 s, on their own thread) barely depends on the interval.
     */
    static final long SYNC_INTERVAL_BYTES = 128L << 20;
    private final Repository repo;
    private final Progress progress;
    private final Consumer<String> warnings;
    private final int threads;
    private final long syncIntervalBytes;
    /** False for {@link #withoutSync()}. */
    private final boolean durable;

    public RestoreJob(final Repository repo, final Progress progress, final Consumer<String> warnings) {
        this(repo, progress, warnings, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /** @param threads decode workers (the reader and the writer run on threads of their own) */
    public RestoreJob(final Repository repo, final Progress progress, final Consumer<String> warnings,
                      final int threads) {
        this(repo, progress, warnings, threads, SYNC_INTERVAL_BYTES);
    }

    /** @param syncIntervalBytes bytes written between background syncs; {@link Long#MAX_VALUE} for none */
    RestoreJob(final Repository repo, final Progress progress, final Consumer<String> warnings, final int threads,
               final long syncIntervalBytes) {
        this(repo, progress, warnings, threads, syncIntervalBytes, true);
    }

    private RestoreJob(final Repository repo, final Progress progress, final Consumer<String> warnings,
                       final int threads, final long syncIntervalBytes, final boolean durable) {
        this.repo = repo;
        this.progress = progress;
        this.warnings = warnings;
        this.threads = threads;
        this.syncIntervalBytes = syncIntervalBytes;
        this.durable = durable;
    }

    /**
     * This job without any sync ({@code cairn restore --no-sync}): raw files and block devices are neither synced
     * in the background nor at the end, so the command returns as soon as the last write returns (as
     * {@code zstd -d}, {@code borg extract} and {@code restic restore}, which never sync). The writes stay O_DIRECT:
     * through the page cache, the copy into it cost 2.8-3.9 s of CPU for 1.9 GB on the build machine against
     * 0.45-0.6 s direct (same run, 3 pairs: 3.35-4.04 s buffered, 2.52-3.08 s direct), because a VM's page cache
     * lands on guest memory the host has taken back. The device may still hold the data in its volatile cache. For
     * scratch restores (checking a backup boots, copying files out); a crash soon after may lose the restored
     * disk's data. A VHDX target is still synced by its writer.
     */
    public RestoreJob withoutSync() {
        return new RestoreJob(repo, progress, warnings, threads, Long.MAX_VALUE, false);
    }

    public RestoreResult run(final PointInfo info, final Path target, final boolean force) throws IOException {
        return run(info, target, force, RestoreFormat.RAW);
    }

    /** Restores into target in the given format. */
    public RestoreResult run(final PointInfo info, final Path target, final boolean force,
                             final RestoreFormat format) throws IOException {
        final long t0 = System.nanoTime();
        try (PointReader point = PointReader.open(info.path())) {
            point.verifyMap();
            if (point.blockSize() != repo.config().blockSize()) {
                throw new CorruptRepositoryException(info.path(), -1, "restore point block size "
                        + point.blockSize() + " differs from the repository's " + repo.config().blockSize());
            }
            final int slotCount = slotCount(point.blockSize());
            final int slotBlockSize = point.blockSize();
            // tens of MiB the JDK zeroes: allocated on another core while the catalog loads (Background's javadoc)
            final FutureTask<RestoreSlots> slotsAllocation = Background.start("cairn-slot-alloc",
                    () -> new RestoreSlots(slotCount, slotBlockSize));
            try (PackCatalog catalog = PackCatalog.load(repo, 0,
                    e -> warnings.accept("damaged pack skipped: " + e.getMessage()))) {
                final RestoreTarget out = RestoreTarget.open(target, point.virtualSize(), force, format,
                        syncIntervalBytes, durable);
                final Pipeline p;
                try {
                    DebugPause.at("restore-after-catalog-load");
                    p = runPipeline(point, catalog, out, Background.await(slotsAllocation));
                    out.commit();
                } catch (IOException | RuntimeException | Error e) {
                    out.abort();
                    throw e;
                }
                final long durationNs = System.nanoTime() - t0;
                return new RestoreResult(info.id(), info.disk(), target, point.virtualSize(),
                        p.writer.blocksData, p.writer.blocksZero, p.writer.bytesWritten, durationNs,
                        p.reader.bytesRead(), p.writer.writes, p.reader.busyNs(), p.workerBusyNs, p.writer.busyNs,
                        threads, out.syncNs(), out.isDirect(), p.reader.async(), out.backgroundSyncs(),
                        out.backgroundSyncNs(), durable);
            }
        }
    }

    /** The stages of one run, kept for their counters. */
    private record Pipeline(PackReadAgent reader, RestoreWriterStage writer, long workerBusyNs) {
    }

    /** Slots for writes of up to WRITE_RUN_BYTES, the reads in flight, one per worker and two spare. */
    private int slotCount(final int blockSize) {
        final int workers = Math.max(1, threads);
        return maxRun(blockSize) + queueDepth(blockSize) + workers + 2;
    }

    private static int maxRun(final int blockSize) {
        return Math.max(1, Math.min(64, WRITE_RUN_BYTES / blockSize));
    }

    private static int queueDepth(final int blockSize) {
        return Math.max(2, Math.min(PackReadAgent.QUEUE_DEPTH, READ_AHEAD_BYTES / blockSize));
    }

    private Pipeline runPipeline(final PointReader point, final PackCatalog catalog, final RestoreTarget out,
                                 final RestoreSlots slots) throws IOException {
        final int blockSize = point.blockSize();
        final int workers = Math.max(1, threads);
        final int maxRun = maxRun(blockSize);
        final int queueDepth = queueDepth(blockSize);
        final int slotCount = slots.count;
        final RestoreState state = new RestoreState();
        final List<DecodeAgent> agents = new ArrayList<>();
        final List<Thread> started = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            // every slot must fit in the free ring at once (32 bytes a message, one spare)
            final OneToOneBlockRing free = new OneToOneBlockRing(arena,
                    Math.max(4096, Integer.highestOneBit((slotCount + 1) * 32) * 2));
            for (int i = 0; i < slotCount; i++) {
                if (!free.offer(OneToOneBlockRing.BLOCK, i, -1, 0)) {
                    throw new IllegalStateException("free-slot ring too small for " + slotCount + " slots");
                }
            }
            final OneToOneBlockRing[] toWorkers = new OneToOneBlockRing[workers];
            final OneToOneBlockRing[] fromWorkers = new OneToOneBlockRing[workers];
            for (int w = 0; w < workers; w++) {
                toWorkers[w] = new OneToOneBlockRing(arena, 4096);
                fromWorkers[w] = new OneToOneBlockRing(arena, 4096);
                agents.add(new DecodeAgent(toWorkers[w], fromWorkers[w], slots, state, PipelineIdle.strategy(),
                        catalog));
            }
            final PackReadAgent reader = new PackReadAgent(repo,
                    e -> warnings.accept("damaged pack skipped: " + e.getMessage()), point, catalog, slots, toWorkers,
                    free, state, PipelineIdle.strategy(), queueDepth);
            final MemorySegment zeros = MemorySegment.ofBuffer(DirectBuffers.aligned(
                    out.mustWriteZeros() ? maxRun * blockSize : DirectBuffers.ALIGNMENT));
            final RestoreWriterStage writer = new RestoreWriterStage(slots, fromWorkers, free, state,
                    PipelineIdle.strategy(), out, zeros, maxRun, point.virtualSize(), progress);
            started.add(Thread.ofPlatform().name("cairn-restore-reader").daemon().start(reader));
            for (int w = 0; w < workers; w++) {
                started.add(Thread.ofPlatform().name("cairn-restore-worker-" + w).daemon().start(agents.get(w)));
            }
            try {
                writer.run();
            } catch (Throwable t) {
                state.fail(t);
            } finally {
                Threads.joinAll(started);
                agents.forEach(DecodeAgent::close);
            }
            if (state.failed()) {
                throw Threads.asIOException(state.failure());
            }
            long workerBusy = 0;
            for (DecodeAgent a : agents) {
                workerBusy += a.busyNs();
            }
            return new Pipeline(reader, writer, workerBusy);
        }
    }

}
