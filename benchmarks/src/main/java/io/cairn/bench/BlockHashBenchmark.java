package io.cairn.bench;

import io.cairn.engine.codec.BlockHasher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * {@link BlockHasher#hash} (XXH3-128, the block id) of one block of random content.
 * <p>
 * XXH3's work does not depend on the bytes, so only random content is measured (a compressible block hashes at the
 * same speed). Throughput: one op hashes one block; the {@code hash:bytes} row is bytes/s (ops/s * blockSize).
 * {@code impl}: {@code native} is libxxhash through FFM ({@link io.cairn.nativeio.XxHash3}, what Cairn uses when
 * the library is installed), {@code java} is zero-allocation-hashing's port (the fallback).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_NIO_CH, JvmFlags.EXPORT_REF, JvmFlags.OPEN_REFLECT, JvmFlags.NO_CHRONICLE_ANALYTICS})
@State(Scope.Thread)
public class BlockHashBenchmark {
    @Param({"65536", "1048576", "4194304"})
    int blockSize;

    @Param({"native", "java"})
    String impl;

    private Arena arena;
    private MemorySegment block;
    private BlockHasher hasher;

    /** Makes the block once. */
    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        block = arena.allocate(blockSize, 4096);
        BlockContent.RANDOM.fill(block, blockSize, 42);
        hasher = new BlockHasher(impl.equals("native"));
    }

    /** Frees the block. */
    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** Hashes one block; returns both halves folded so that the work cannot be dropped. */
    @Benchmark
    public long hash(final ByteCounter counter) {
        counter.bytes += blockSize;
        hasher.hash(block, blockSize);
        return hasher.hi() ^ hasher.lo();
    }
}
