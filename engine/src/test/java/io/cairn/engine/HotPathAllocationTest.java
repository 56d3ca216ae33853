package io.cairn.engine;

import io.cairn.engine.backup.BackupResult;
import io.cairn.engine.codec.BlockHasher;
import io.cairn.format.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Heap allocation of whole backups and restores, per block, after warm-up (house style section 5).
 * <p>
 * Measured with {@code getTotalThreadAllocatedBytes()}, which counts every thread of the JVM, dead ones included,
 * so the pipeline's reader, worker and restore threads (new for every run) are counted, and so is the writer stage
 * (it runs on the caller's thread). What a run allocates, from JFR (ObjectAllocationInNewTLAB with stack traces,
 * JDK 25, 64 KiB blocks, on the 2-core build machine):
 * <ul>
 *   <li>per run, not per block: listing points and loading packs (grows with the repository: about 90 KiB with one
 *       earlier point, +50 KiB per three points and packs), threads and their errno capture state, rings, manifest,
 *       point writer;</li>
 *   <li>per block, none of it engine code:
 *   <ul>
 *     <li>about 290 B: zstd-jni 1.5.7-28, whose JDK 22+ FFM variant allocates on every
 *         {@code ZstdCompressCtx.compressDirectByteBuffer} and {@code ZstdDecompressCtx.decompressDirectByteBuffer}
 *         call ({@code directSegment}: {@code ByteBuffer.duplicate()}, {@code MemorySegment.ofBuffer},
 *         {@code asSlice}, for both buffers);</li>
 *     <li>about 70 B: repo-format's {@code PackWriter.append} writes header and data with a gathering
 *         {@code FileChannel.write(ByteBuffer[])}; for buffers that are views of a MemorySegment the JDK's
 *         {@code IOUtil.write} allocates an {@code IOUtil$Releaser} and an {@code IOUtil$LinkedRunnable} per call;</li>
 *     <li>about 40 B until C2 compiles the pread path: the JDK linker's {@code SharedUtils.checkCaptureSegment}
 *         slices the errno capture segment on every downcall (escape analysis removes it later).</li>
 *   </ul></li>
 * </ul>
 * With the native block hasher (libxxhash, the default where installed), each hash also allocates the FFM
 * linker's return buffer (330-400 B) until C2 has compiled the call, which takes far more blocks than these
 * backups have (about 480 B per block in all in the extra-block test); in steady state it allocates nothing
 * (BlockHasherNativeTest). The two average tests include that cost; the extra-block test, which must see a few
 * objects of engine code per block, runs with the Java hasher.
 * <p>
 * Measured here: a 256-block zstd backup after two warm-up runs allocates 630 B per block on average (setup
 * included), a restore 580 B; with compression none, each block beyond the first 32 costs about 113 B.
 */
class HotPathAllocationTest {
    private static final int K64 = 64 * 1024;
    private static final int BLOCKS = 256;
    /** 3x the measured average: room for noise and JIT timing, fails at about 1.4 KiB per block more. */
    private static final long AVERAGE_BOUND_PER_BLOCK = 2048;
    /**
     * 2.3x the measured 111-120 B. It catches about 140 B or more per block (a few objects, a formatted message);
     * one short String per block (tried: +55 B, 168 B in all) stays under it, which only the JMH
     * {@code gc.alloc.rate.norm} benchmarks resolve.
     */
    private static final long EXTRA_BLOCK_BOUND = 256;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @Test
    void shouldAllocateLessThan2KiBPerBlockWhenBackingUpAfterWarmUp() throws Exception {
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        Backups.backup(repo, "warm1", disk(1, BLOCKS).writeDense(dir.resolve("warm1.img")));
        Backups.backup(repo, "warm2", disk(2, BLOCKS).writeDense(dir.resolve("warm2.img")));
        final Path image = disk(3, BLOCKS).writeDense(dir.resolve("measured.img"));

        final long before = THREADS.getTotalThreadAllocatedBytes();
        final BackupResult r = Backups.backup(repo, "measured", image);
        final long allocated = THREADS.getTotalThreadAllocatedBytes() - before;

        assertEquals(BLOCKS, r.blocksNew(), "every block is new, so every block is hashed, compressed and stored");
        System.out.printf("backup: %d bytes allocated for %d blocks, %d per block%n", allocated, BLOCKS,
                allocated / BLOCKS);
        assertTrue(allocated < AVERAGE_BOUND_PER_BLOCK * BLOCKS, allocated + " bytes for " + BLOCKS + " blocks");
    }

    @Test
    void shouldAllocateLittlePerExtraBlockWhenBackingUpWithoutCompression() throws Exception {
        // the Java hasher allocates nothing from the first call, so what is measured is the engine's code
        final String previous = System.setProperty(BlockHasher.NATIVE_PROPERTY, "false");
        try {
            backUpExtraBlocksWithoutCompression();
        } finally {
            if (previous == null) {
                System.clearProperty(BlockHasher.NATIVE_PROPERTY);
            } else {
                System.setProperty(BlockHasher.NATIVE_PROPERTY, previous);
            }
        }
    }

    private void backUpExtraBlocksWithoutCompression() throws Exception {
        // two repositories with the same history, so the per-run costs match and cancel out
        final Repository small = Backups.init(dir.resolve("small"), K64, "none");
        final Repository large = Backups.init(dir.resolve("large"), K64, "none");
        for (Repository repo : new Repository[]{small, large}) {
            Backups.backup(repo, "warm1", disk(1, BLOCKS).writeDense(dir.resolve("warm1.img")));
            Backups.backup(repo, "warm2", disk(2, BLOCKS).writeDense(dir.resolve("warm2.img")));
        }
        // Allocation noise (JIT warm-up, a loaded CI host) only ever adds bytes, so the least of three attempts
        // is the steady state; each attempt backs up new content so that every block is new.
        long perExtraBlock = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && perExtraBlock >= EXTRA_BLOCK_BOUND; attempt++) {
            final Path smallImage = disk(3 + attempt * 10, 32).writeDense(dir.resolve("small" + attempt + ".img"));
            final Path largeImage = disk(4 + attempt * 10, 32 + BLOCKS).writeDense(dir.resolve("large" + attempt + ".img"));

            final long t0 = THREADS.getTotalThreadAllocatedBytes();
            Backups.backup(small, "measured" + attempt, smallImage);
            final long t1 = THREADS.getTotalThreadAllocatedBytes();
            final BackupResult r = Backups.backup(large, "measured" + attempt, largeImage);
            final long t2 = THREADS.getTotalThreadAllocatedBytes();

            assertEquals(32 + BLOCKS, r.blocksNew());
            final long attemptPerBlock = ((t2 - t1) - (t1 - t0)) / BLOCKS;
            System.out.printf("backup without compression, attempt %d: %d bytes for 32 blocks, %d for %d, %d per "
                    + "extra block%n", attempt + 1, t1 - t0, t2 - t1, 32 + BLOCKS, attemptPerBlock);
            perExtraBlock = Math.min(perExtraBlock, attemptPerBlock);
        }
        assertTrue(perExtraBlock < EXTRA_BLOCK_BOUND, perExtraBlock + " bytes per extra block");
    }

    @Test
    void shouldAllocateLessThan2KiBPerBlockWhenRestoringAfterWarmUp() throws Exception {
        final Repository repo = Backups.init(dir.resolve("repo"), K64, "zstd");
        final String warm1 = Backups.backup(repo, "warm1", disk(1, BLOCKS).writeDense(dir.resolve("w1.img"))).id();
        final String warm2 = Backups.backup(repo, "warm2", disk(2, BLOCKS).writeDense(dir.resolve("w2.img"))).id();
        final String measured = Backups.backup(repo, "measured", disk(3, BLOCKS).writeDense(dir.resolve("m.img"))).id();
        Backups.restore(repo, "warm1", warm1, dir.resolve("warm1.out"));
        Backups.restore(repo, "warm2", warm2, dir.resolve("warm2.out"));

        final long before = THREADS.getTotalThreadAllocatedBytes();
        Backups.restore(repo, "measured", measured, dir.resolve("measured.out"));
        final long allocated = THREADS.getTotalThreadAllocatedBytes() - before;

        System.out.printf("restore: %d bytes allocated for %d blocks, %d per block%n", allocated, BLOCKS,
                allocated / BLOCKS);
        assertTrue(allocated < AVERAGE_BOUND_PER_BLOCK * BLOCKS, allocated + " bytes for " + BLOCKS + " blocks");
    }

    /** Distinct, compressible blocks (no zeros, no duplicates): the full hot path for every block. */
    private static DiskImage disk(final long seed, final int blocks) {
        final DiskImage d = new DiskImage((long) blocks * K64, K64);
        for (int b = 0; b < blocks; b++) {
            d.unique(b, seed * 1_000_000 + b);
        }
        return d;
    }
}
