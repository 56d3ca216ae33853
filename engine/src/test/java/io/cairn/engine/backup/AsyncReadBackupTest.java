package io.cairn.engine.backup;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.engine.Progress;
import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.format.Repository;
import io.cairn.format.point.PointReader;
import io.cairn.nativeio.IoUring;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

import static io.cairn.engine.backup.BackupRoundTripTest.assertRestoresTo;
import static io.cairn.engine.backup.BackupRoundTripTest.isZeroBlock;
import static io.cairn.engine.backup.BackupRoundTripTest.mixed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The reader stage with several reads in flight: blocks leave in block order whatever order reads complete in,
 * through io_uring on real files, through a source whose reads complete newest first, and through the synchronous
 * fallback; every backup restores bit-exact.
 */
class AsyncReadBackupTest {
    private static final int K64 = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldSendBlocksInOrderWhenReadThroughIoUring() throws Exception {
        assumeTrue(IoUring.available(), "io_uring is not usable here: " + IoUring.unavailableReason());
        final DiskImage disk = tailed(mixed(61, K64));
        try (FileBlockSource source = FileBlockSource.open(disk.writeSparse(dir.resolve("d.img")))) {
            final SourceReaderAgent agent = runAndCheckOrder(source, disk, 2, 12);
            assertTrue(agent.async(), "the reader used io_uring");
        }
    }

    @Test
    void shouldSendBlocksInOrderWhenReadsCompleteNewestFirst() throws Exception {
        final DiskImage disk = tailed(mixed(61, K64));
        try (BlockSource source = new NewestFirstSource(FileBlockSource.open(disk.writeSparse(dir.resolve("d.img"))))) {
            final SourceReaderAgent agent = runAndCheckOrder(source, disk, 3, 12);
            assertTrue(agent.async());
        }
    }

    @Test
    void shouldSendEachStripeInOrderWhenDiskReadAsStripesInTurn() throws Exception {
        final DiskImage disk = tailed(mixed(61, K64));
        try (FileBlockSource source = FileBlockSource.open(disk.writeSparse(dir.resolve("d.img")))) {
            for (int stripes : new int[] {2, 5, 7}) {
                runAndCheckOrder(source, disk, 2, 12, stripes);
            }
        }
        final DiskImage small = mixed(3, K64); // fewer blocks than stripes: one stripe a block
        try (FileBlockSource source = FileBlockSource.open(small.writeSparse(dir.resolve("small.img")))) {
            runAndCheckOrder(source, small, 2, 12, 3);
        }
    }

    @Test
    void shouldRestoreBitExactAndMapAsInOrderWhenBackupReadsStripes() throws Exception {
        final DiskImage disk = tailed(mixed(97, K64));
        final Path image = disk.writeSparse(dir.resolve("d.img"));
        final Repository inOrder = Backups.init(dir.resolve("in-order"), K64, "zstd");
        final Repository striped = Backups.init(dir.resolve("striped"), K64, "zstd");
        try (FileBlockSource source = FileBlockSource.open(image)) {
            assertTrue(source.readsInAnyOrder());
            final BackupResult a = new BackupJob(inOrder, "vm1", Progress.NONE, w -> { }, 2).readStripes(1)
                .run(source);
            final BackupResult b = new BackupJob(striped, "vm1", Progress.NONE, w -> { }, 2).run(source); // 5
            assertRestoresTo(striped, "vm1", b.id(), disk);
            assertEquals(a.blocksZero(), b.blocksZero());
            assertEquals(a.blocksNew(), b.blocksNew());
            try (PointReader pa = PointReader.open(inOrder.latestPoint("vm1", e -> { }).path());
                 PointReader pb = PointReader.open(striped.latestPoint("vm1", e -> { }).path())) {
                pb.verifyMap();
                assertEquals(-1, pa.map().mismatch(pb.map()), "same block map whatever the read order");
            }
            // an incremental (hash comparison) in stripes too, after a change in the last stripe
            disk.bytes()[(int) (disk.size() - 100)] ^= 0x5a;
            disk.writeSparse(image);
            final BackupResult c = new BackupJob(striped, "vm1", Progress.NONE, w -> { }, 2).readStripes(7)
                .run(source);
            assertEquals(1, c.blocksChanged());
            assertRestoresTo(striped, "vm1", c.id(), disk);
        }
        assertEquals(5, BackupJob.defaultStripes(2));
        assertEquals(5, BackupJob.defaultStripes(4));
        assertEquals(7, BackupJob.defaultStripes(6));
        assertEquals(7, BackupJob.defaultStripes(8));
        assertEquals(4, BackupJob.defaultStripes(1));
    }

    @Test
    void shouldSendBlocksInOrderWhenFewerSlotsThanQueueDepth() throws Exception {
        final DiskImage disk = mixed(40, K64);
        try (BlockSource source = new NewestFirstSource(FileBlockSource.open(disk.writeDense(dir.resolve("d.img"))))) {
            runAndCheckOrder(source, disk, 1, 3);
        }
    }

    @Test
    void shouldRestoreBitExactWhenBackupReadsCompleteNewestFirst() throws Exception {
        final DiskImage disk = tailed(mixed(83, K64));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult r;
        try (BlockSource source = new NewestFirstSource(FileBlockSource.open(disk.writeSparse(dir.resolve("d.img"))))) {
            r = new BackupJob(repo, "vm1", Progress.NONE, w -> { }, 2).run(source);
        }
        assertEquals(83 + 1, r.blocksTotal());
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldRestoreBitExactWhenBackupReadsThroughIoUring() throws Exception {
        assumeTrue(IoUring.available(), "io_uring is not usable here: " + IoUring.unavailableReason());
        final DiskImage disk = tailed(mixed(83, K64));
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final BackupResult r = Backups.backup(repo, "vm1", disk.writeDense(dir.resolve("d.img")));
        assertEquals(disk.size(), r.bytesRead());
        assertRestoresTo(repo, "vm1", r.id(), disk);
    }

    @Test
    void shouldReadSynchronouslyWhenIoUringIsTurnedOff() throws Exception {
        final DiskImage disk = tailed(mixed(50, K64));
        final Path image = disk.writeSparse(dir.resolve("d.img"));
        final String before = System.getProperty(FileBlockSource.IO_URING_PROPERTY);
        System.setProperty(FileBlockSource.IO_URING_PROPERTY, "false");
        try (FileBlockSource source = FileBlockSource.open(image)) {
            assertEquals(Optional.empty(), source.asyncReader(8));
            final SourceReaderAgent agent = runAndCheckOrder(source, disk, 2, 10);
            assertFalse(agent.async(), "the fallback reads with pread");
            final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
            final BackupResult r = new BackupJob(repo, "vm1", Progress.NONE, w -> { }, 2).run(source);
            assertRestoresTo(repo, "vm1", r.id(), disk);
        } finally {
            if (before == null) {
                System.clearProperty(FileBlockSource.IO_URING_PROPERTY);
            } else {
                System.setProperty(FileBlockSource.IO_URING_PROPERTY, before);
            }
        }
    }

    @Test
    void shouldReadSynchronouslyWhenSourceHasNoAsyncReader() throws Exception {
        final DiskImage disk = tailed(mixed(50, K64));
        try (BlockSource source = new SyncOnlySource(FileBlockSource.open(disk.writeSparse(dir.resolve("d.img"))))) {
            assertEquals(Optional.empty(), source.asyncReader(8));
            final SourceReaderAgent agent = runAndCheckOrder(source, disk, 2, 10);
            assertFalse(agent.async());
        }
    }

    /** The disk plus a last partial block of 12 345 bytes (not a multiple of 4096) holding data. */
    private static DiskImage tailed(final DiskImage d) {
        final DiskImage t = new DiskImage(d.size() + 12_345, d.blockSize());
        System.arraycopy(d.bytes(), 0, t.bytes(), 0, (int) d.size());
        for (int i = 0; i < 12_345; i++) {
            t.bytes()[(int) d.size() + i] = (byte) (i * 13 + 5);
        }
        return t;
    }

    /**
     * Runs the reader agent alone on its own thread and consumes its messages on this one the way the writer does
     * (round-robin over the worker rings), checking that blocks arrive in order with the image's bytes, that zero
     * runs cover only zero blocks, and that every block is accounted for; slots go straight back to the free ring.
     */
    private static SourceReaderAgent runAndCheckOrder(final BlockSource source, final DiskImage disk,
                                                      final int workers, final int slotCount) throws Exception {
        return runAndCheckOrder(source, disk, workers, slotCount, 1);
    }

    /**
     * As above with the disk read as {@code stripes} stripes in turn: within each stripe blocks and zero runs
     * leave in block order, every block exactly once, and reads alternate between the stripes.
     */
    private static SourceReaderAgent runAndCheckOrder(final BlockSource source, final DiskImage disk,
                                                      final int workers, final int slotCount, final int stripes)
            throws Exception {
        final int blockSize = disk.blockSize();
        final long blockCount = (disk.size() + blockSize - 1) / blockSize;
        final long stripeLength = (blockCount + stripes - 1) / stripes;
        final long[] nextOf = new long[stripes];
        for (int i = 0; i < stripes; i++) {
            nextOf[i] = Math.min(blockCount, i * stripeLength);
        }
        final List<Integer> stripeOfReads = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            final BlockSlots slots = new BlockSlots(slotCount, blockSize);
            final OneToOneBlockRing free = new OneToOneBlockRing(arena, 4096);
            for (int i = 0; i < slotCount; i++) {
                assertTrue(free.offer(OneToOneBlockRing.BLOCK, i, -1, 0));
            }
            final OneToOneBlockRing[] toWorkers = new OneToOneBlockRing[workers];
            for (int w = 0; w < workers; w++) {
                toWorkers[w] = new OneToOneBlockRing(arena, 4096);
            }
            final PipelineState state = new PipelineState();
            final SourceReaderAgent agent = new SourceReaderAgent(source, slots, toWorkers, free, state,
                new BackoffIdleStrategy(1, 1, 1_000, 100_000), blockSize, blockCount);
            agent.readStripes(stripes);
            final Thread thread = Thread.ofPlatform().name("test-reader").start(agent);
            final MemorySegment image = MemorySegment.ofArray(disk.bytes());
            long accounted = 0;
            long sequence = 0;
            int ends = 0;
            long blocksSeen = 0;
            while (ends < workers) {
                final OneToOneBlockRing ring = toWorkers[(int) (sequence % workers)];
                while (!ring.poll()) {
                    if (state.failed()) {
                        thread.join();
                        throw new AssertionError("reader failed", state.failure());
                    }
                    Thread.onSpinWait();
                }
                sequence++;
                switch (ring.lastType()) {
                    case OneToOneBlockRing.BLOCK -> {
                        final int stripe = (int) (ring.lastBlockNo() / stripeLength);
                        final long next = nextOf[stripe];
                        assertEquals(next, ring.lastBlockNo(), "blocks leave in block order in stripe " + stripe);
                        stripeOfReads.add(stripe);
                        final int slot = ring.lastSlot();
                        final int length = slots.rawLength[slot];
                        assertEquals(Math.min(blockSize, disk.size() - next * blockSize), length);
                        assertEquals(-1, slots.in[slot].asSlice(0, length)
                            .mismatch(image.asSlice(next * blockSize, length)), "content of block " + next);
                        nextOf[stripe]++;
                        accounted++;
                        blocksSeen++;
                        assertTrue(free.offer(OneToOneBlockRing.BLOCK, slot, -1, 0));
                    }
                    case OneToOneBlockRing.ZERO_RUN -> {
                        final int stripe = (int) (ring.lastBlockNo() / stripeLength);
                        final long next = nextOf[stripe];
                        assertEquals(next, ring.lastBlockNo(), "zero runs leave in block order in stripe " + stripe);
                        assertTrue(next + ring.lastCount() <= Math.min(blockCount, (stripe + 1) * stripeLength),
                            "zero run crosses the end of stripe " + stripe);
                        for (long b = next; b < next + ring.lastCount(); b++) {
                            assertTrue(isZeroBlock(disk, b), "block " + b + " sent as zero holds data");
                        }
                        nextOf[stripe] += ring.lastCount();
                        accounted += ring.lastCount();
                    }
                    case OneToOneBlockRing.END -> {
                        assertEquals(blockCount, ring.lastBlockNo());
                        ends++;
                    }
                    default -> throw new AssertionError("unknown message type " + ring.lastType());
                }
            }
            thread.join();
            assertFalse(state.failed(), () -> String.valueOf(state.failure()));
            for (int i = 0; i < stripes; i++) {
                assertEquals(Math.min(blockCount, (i + 1) * stripeLength), nextOf[i], "stripe " + i + " complete");
            }
            assertEquals(blockCount, accounted, "every block accounted for once");
            assertTrue(blocksSeen > 0);
            if (stripes > 1) { // turns: the first reads come from different stripes, not one stripe after another
                final long readStripes = stripeOfReads.stream().distinct().count(); // stripes with data
                assertTrue(readStripes > 1, "data in one stripe only: the test disk is too small");
                assertEquals(readStripes, stripeOfReads.stream().limit(stripes * 2L).distinct().count(),
                    "reads of the first turns " + stripeOfReads.subList(0, Math.min(20, stripeOfReads.size())));
            }
            return agent;
        }
    }

    /** Delegates everything to a real file source. */
    private static class DelegatingSource implements BlockSource {
        final BlockSource delegate;

        DelegatingSource(final BlockSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public long size() {
            return delegate.size();
        }

        @Override
        public String describe() {
            return delegate.describe();
        }

        @Override
        public String identity() {
            return delegate.identity();
        }

        @Override
        public long nextData(final long offset) throws IOException {
            return delegate.nextData(offset);
        }

        @Override
        public long nextHole(final long offset) throws IOException {
            return delegate.nextHole(offset);
        }

        @Override
        public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
            delegate.read(dst, offset, length);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    /** A file source without an async reader (the interface's default): the agent must fall back to read(). */
    private static final class SyncOnlySource extends DelegatingSource {
        SyncOnlySource(final BlockSource delegate) {
            super(delegate);
        }
    }

    /**
     * A file source whose async reader reads at submit but reports completions newest first, and only when the
     * caller blocks (min > 0), one at a time beyond min: the oldest read, which the agent must send first, is
     * always the last reported. The worst order a real queue could produce.
     */
    private static final class NewestFirstSource extends DelegatingSource {
        NewestFirstSource(final BlockSource delegate) {
            super(delegate);
        }

        @Override
        public Optional<AsyncReader> asyncReader(final int depth) {
            return Optional.of(new AsyncReader() {
                private final ArrayDeque<Integer> done = new ArrayDeque<>();

                @Override
                public int depth() {
                    return depth;
                }

                @Override
                public int inFlight() {
                    return done.size();
                }

                @Override
                public boolean submit(final MemorySegment dst, final long offset, final int length, final int tag)
                    throws IOException {
                    if (done.size() >= depth) {
                        return false;
                    }
                    delegate.read(dst, offset, length);
                    done.push(tag);
                    return true;
                }

                @Override
                public int complete(final int min, final IntConsumer consumer) {
                    final int n = Math.min(min, done.size());
                    for (int i = 0; i < n; i++) {
                        consumer.accept(done.pop());
                    }
                    return n;
                }

                @Override
                public void close() {
                    final List<Integer> left = new ArrayList<>(done);
                    done.clear();
                    if (!left.isEmpty()) {
                        throw new IllegalStateException("closed with reads in flight: " + left);
                    }
                }
            });
        }
    }
}
