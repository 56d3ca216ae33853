package io.cairn.engine.restore;

import io.cairn.engine.DebugPause;
import io.cairn.engine.Progress;
import io.cairn.engine.codec.BlockDecompressor;
import io.cairn.engine.codec.BlockHasher;
import io.cairn.engine.codec.DirectBuffers;
import io.cairn.engine.codec.ZeroDetector;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.PackCatalog;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.BlockRecordReader;
import io.cairn.format.point.PointReader;
import io.cairn.nativeio.AlignedBuffers;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Restores one restore point to a file or block device, bit-exact: every record's header CRC, data CRC and id
 * are checked as it is read, and every decompressed block is re-hashed against its id before it is written.
 * <p>
 * Threads: {@code threads} platform threads claim runs of blocks from a shared counter and each read, check,
 * decompress and pwrite their blocks with their own buffers (no lock and no allocation per block); the calling
 * thread reports progress and joins them.
 * <p>
 * Compact beside a restore (FORMAT.md section 10): restore takes no lock, and compact may delete a pack after this
 * job built its catalog. A pack already opened stays readable (an unlinked file lives while it is open); a pack
 * that is gone when first opened, or a block that the catalog does not know, makes the job load the catalog again
 * (compact publishes every replacement before it deletes a pack) and retry, at most {@link #MAX_CATALOG_LOADS}
 * times per restore. Crash and concurrency tests can pause the job at {@code restore-after-catalog-load} (see
 * {@link DebugPause}).
 */
public final class RestoreJob {
    private static final int BLOCKS_PER_CLAIM = 16;
    /** Bound on catalog loads per restore (the first included); each compact run needs at most one more. */
    static final int MAX_CATALOG_LOADS = 8;
    private final Repository repo;
    private final Progress progress;
    private final Consumer<String> warnings;
    private final int threads;

    public RestoreJob(final Repository repo, final Progress progress, final Consumer<String> warnings) {
        this(repo, progress, warnings, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public RestoreJob(final Repository repo, final Progress progress, final Consumer<String> warnings,
                      final int threads) {
        this.repo = repo;
        this.progress = progress;
        this.warnings = warnings;
        this.threads = threads;
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
            final Shared shared = new Shared(repo, warnings, point);
            try {
                final RestoreTarget out = RestoreTarget.open(target, point.virtualSize(), force, format);
                shared.target = out;
                try {
                    DebugPause.at("restore-after-catalog-load");
                    runWorkers(shared);
                    out.commit();
                } catch (IOException | RuntimeException e) {
                    out.abort();
                    throw e;
                }
                return new RestoreResult(info.id(), info.disk(), target, point.virtualSize(),
                        shared.blocksData.get(), shared.blocksZero.get(), shared.bytesWritten.get(),
                        System.nanoTime() - t0);
            } finally {
                shared.close();
            }
        }
    }

    private void runWorkers(final Shared shared) throws IOException {
        final List<Thread> list = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            list.add(Thread.ofPlatform().name("cairn-restore-" + i).daemon().start(() -> {
                try (Worker w = new Worker(shared, repo.config().blockSize())) {
                    w.run();
                } catch (Throwable t) {
                    shared.failure.compareAndSet(null, t);
                }
            }));
        }
        final long size = shared.point.virtualSize();
        final int blockSize = repo.config().blockSize();
        boolean interrupted = false;
        for (Thread t : list) {
            while (t.isAlive()) {
                try {
                    t.join(250);
                } catch (InterruptedException e) {
                    interrupted = true;
                    shared.failure.compareAndSet(null, e);
                }
                progress.update(Math.min(size, shared.blocksDoneApprox() * blockSize), size);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        final Throwable f = shared.failure.get();
        if (f instanceof IOException io) {
            throw io;
        } else if (f instanceof RuntimeException re) {
            throw re;
        } else if (f instanceof Error e) {
            throw e;
        } else if (f != null) {
            throw new IOException(f);
        }
        progress.update(size, size);
    }

    /**
     * A loaded catalog and the pack channels opened through it. Channels are opened lazily, once per pack
     * (cold path, under this view's monitor).
     */
    private static final class CatalogView {
        final PackCatalog catalog;
        final FileChannel[] channels;

        CatalogView(final PackCatalog catalog) {
            this.catalog = catalog;
            this.channels = new FileChannel[catalog.packCount()];
        }

        /** @throws java.nio.file.NoSuchFileException when compact deleted the pack after the catalog was loaded */
        synchronized FileChannel channel(final int ordinal) throws IOException {
            FileChannel ch = channels[ordinal];
            if (ch == null) {
                ch = FileChannel.open(catalog.packPath(ordinal), StandardOpenOption.READ);
                channels[ordinal] = ch;
            }
            return ch;
        }

        synchronized void close() {
            for (FileChannel ch : channels) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // read-only
                    }
                }
            }
            catalog.close();
        }
    }

    /** State shared by the restore threads: the claim counter, the current catalog view, counters. */
    private static final class Shared {
        final Repository repo;
        final Consumer<String> warnings;
        final PointReader point;
        /** Set once before the workers start (Thread.start publishes it to them). */
        RestoreTarget target;
        /** Every view loaded; closed only at the end, since a worker may still read through an older one. */
        final List<CatalogView> views = new ArrayList<>();
        /** The newest view; replaced (under this object's monitor) by {@link #reload}. */
        volatile CatalogView view;
        final AtomicLong nextBlock = new AtomicLong();
        final AtomicLong blocksData = new AtomicLong();
        final AtomicLong blocksZero = new AtomicLong();
        final AtomicLong bytesWritten = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Shared(final Repository repo, final Consumer<String> warnings, final PointReader point) throws IOException {
            this.repo = repo;
            this.warnings = warnings;
            this.point = point;
            this.view = load();
            views.add(view);
        }

        private CatalogView load() throws IOException {
            return new CatalogView(PackCatalog.load(repo, 0,
                    e -> warnings.accept("damaged pack skipped: " + e.getMessage())));
        }

        long blocksDoneApprox() {
            return blocksData.get() + blocksZero.get();
        }

        /**
         * Cold path: loads the catalog again unless another thread already replaced {@code seen}. Returns false when
         * the bound on loads is reached (the caller then reports the block as missing).
         */
        synchronized boolean reload(final CatalogView seen) throws IOException {
            if (view != seen) {
                return true;
            }
            if (views.size() >= MAX_CATALOG_LOADS) {
                return false;
            }
            final CatalogView fresh = load();
            views.add(fresh);
            view = fresh;
            return true;
        }

        synchronized void close() {
            for (CatalogView v : views) {
                v.close();
            }
        }
    }

    /** One restore thread's buffers and loop. */
    private static final class Worker implements AutoCloseable {
        private final Shared shared;
        private final int blockSize;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment storedSegment;
        private final ByteBuffer stored;
        private final MemorySegment raw;
        private final ByteBuffer rawBuffer;
        private final BlockRecordReader records;
        private final BlockDecompressor decompressor = new BlockDecompressor();
        private final BlockHasher hasher = new BlockHasher();
        private final ZeroDetector zeros;
        /** This thread's cache of the channels of {@link #localView}. */
        private FileChannel[] local;
        private CatalogView localView;

        Worker(final Shared shared, final int blockSize) {
            this.shared = shared;
            this.blockSize = blockSize;
            this.stored = DirectBuffers.aligned(blockSize);
            this.storedSegment = MemorySegment.ofBuffer(stored);
            this.raw = AlignedBuffers.allocate(arena, blockSize);
            this.rawBuffer = raw.asByteBuffer();
            this.records = new BlockRecordReader(blockSize);
            this.zeros = new ZeroDetector(arena, blockSize);
            this.localView = shared.view;
            this.local = new FileChannel[localView.channels.length];
        }

        void run() throws IOException {
            final PointReader point = shared.point;
            final long count = point.blockCount();
            final long size = point.virtualSize();
            final RestoreTarget out = shared.target;
            final boolean writeZeros = shared.target.mustWriteZeros();
            while (shared.failure.get() == null) {
                final long first = shared.nextBlock.getAndAdd(BLOCKS_PER_CLAIM);
                if (first >= count) {
                    return;
                }
                final long end = Math.min(count, first + BLOCKS_PER_CLAIM);
                long data = 0;
                long zero = 0;
                long written = 0;
                for (long b = first; b < end; b++) {
                    final long offset = b * blockSize;
                    final int length = (int) Math.min(blockSize, size - offset);
                    final long hi = point.idHi(b);
                    final long lo = point.idLo(b);
                    if (BlockId.isZero(hi, lo)) {
                        zero++;
                        if (writeZeros) {
                            out.write(zeros.zeros(), length, offset);
                            written += length;
                        }
                        continue;
                    }
                    out.write(fetch(b, hi, lo, length), length, offset);
                    written += length;
                    data++;
                }
                shared.blocksData.addAndGet(data);
                shared.blocksZero.addAndGet(zero);
                shared.bytesWritten.addAndGet(written);
            }
        }

        /**
         * Finds a block in the current catalog view and reads it; when the view does not know the block or its pack
         * is gone (compact ran meanwhile), loads the catalog again and retries (bounded by MAX_CATALOG_LOADS).
         */
        private MemorySegment fetch(final long block, final long hi, final long lo, final int length)
                throws IOException {
            while (true) {
                final CatalogView v = shared.view;
                if (v != localView) { // cold: the catalog was reloaded
                    localView = v;
                    local = new FileChannel[v.channels.length];
                }
                final long loc = v.catalog.index().get(hi, lo);
                if (loc != BlockLocation.EMPTY) {
                    final int ordinal = BlockLocation.packOrdinal(loc);
                    FileChannel ch = local[ordinal];
                    if (ch == null) {
                        try {
                            ch = v.channel(ordinal);
                        } catch (NoSuchFileException gone) {
                            if (shared.reload(v)) {
                                continue;
                            }
                            throw gone;
                        }
                        local[ordinal] = ch;
                    }
                    return readBlock(block, hi, lo, ch, v.catalog.packPath(ordinal),
                            BlockLocation.recordOffset(loc), length);
                }
                if (!shared.reload(v)) {
                    throw new CorruptRepositoryException(shared.point.path(), -1, "block " + block + " (id "
                            + BlockId.toHex(hi, lo) + ") is missing from the repository: no intact pack holds it");
                }
            }
        }

        /** Reads, checks and (if needed) decompresses one block; returns the segment holding its raw bytes. */
        private MemorySegment readBlock(final long block, final long hi, final long lo, final FileChannel ch,
                                        final Path pack, final long offset, final int length) throws IOException {
            records.read(ch, pack, offset, stored);
            records.requireId(pack, offset, hi, lo);
            if (records.rawLength() != length) {
                throw new CorruptRepositoryException(pack, offset, "record raw length " + records.rawLength()
                        + " differs from block " + block + "'s length " + length);
            }
            final MemorySegment data;
            if (records.codec() == BlockRecordLayout.CODEC_ZSTD) {
                final int n = decompressor.decompress(stored, records.storedLength(), rawBuffer);
                if (n != length) {
                    throw new CorruptRepositoryException(pack, offset, "zstd frame of block " + block
                            + " does not decompress to " + length + " bytes");
                }
                data = raw;
            } else {
                data = storedSegment;
            }
            hasher.hash(data, length);
            if (hasher.hi() != hi || hasher.lo() != lo) {
                throw new CorruptRepositoryException(pack, offset, "block " + block + " re-hashes to "
                        + BlockId.toHex(hasher.hi(), hasher.lo()) + ", not its id " + BlockId.toHex(hi, lo));
            }
            return data;
        }

        @Override
        public void close() {
            decompressor.close();
            arena.close();
        }
    }
}
