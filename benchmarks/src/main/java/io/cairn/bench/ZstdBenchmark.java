package io.cairn.bench;

import com.github.luben.zstd.ZstdCompressCtx;
import io.cairn.engine.codec.BlockCompressor;
import io.cairn.engine.codec.BlockDecompressor;
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
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * {@link BlockCompressor#compress} and {@link BlockDecompressor#decompress} of one block between direct buffers, at
 * zstd levels 1 and 3, on compressible ({@code FILESYSTEM}) and incompressible ({@code RANDOM}) content.
 * <p>
 * Throughput: one op compresses or decompresses one block; the {@code :bytes} rows are <em>raw</em> (uncompressed)
 * bytes/s, ops/s * blockSize, for both directions. The setup prints the compressed size of the block.
 * <p>
 * {@code decompress} on {@code RANDOM}: {@link BlockCompressor} reports such a block as incompressible (-1) and
 * the engine stores it raw, so the engine never decompresses it; the frame for that case is made here with a plain
 * {@link ZstdCompressCtx} (zstd stores the data in raw blocks) and is measured only for completeness. The
 * {@code level} parameter only chooses how the frame was made for {@code decompress}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_NIO_CH, JvmFlags.EXPORT_REF, JvmFlags.OPEN_REFLECT, JvmFlags.NO_CHRONICLE_ANALYTICS})
@State(Scope.Thread)
public class ZstdBenchmark {
    @Param({"1048576"})
    int blockSize;

    @Param({"FILESYSTEM", "RANDOM"})
    BlockContent content;

    @Param({"1", "3"})
    int level;

    private Arena arena;
    private ByteBuffer raw;
    private ByteBuffer compressed;
    private ByteBuffer frame;
    private int frameLength;
    private ByteBuffer restored;
    private BlockCompressor compressor;
    private BlockDecompressor decompressor;

    /** Makes the block, its frame and the output buffers once; checks the round trip. */
    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        final int bound = BlockCompressor.bound(blockSize);
        final MemorySegment rawSegment = arena.allocate(blockSize, 4096);
        content.fill(rawSegment, blockSize, 42);
        raw = rawSegment.asByteBuffer();
        compressed = arena.allocate(bound, 4096).asByteBuffer();
        frame = arena.allocate(bound, 4096).asByteBuffer();
        restored = arena.allocate(blockSize, 4096).asByteBuffer();
        compressor = new BlockCompressor(level);
        decompressor = new BlockDecompressor();

        final int n = compressor.compress(raw, blockSize, frame);
        if (n > 0) {
            frameLength = n;
        } else {
            try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
                ctx.setLevel(level);
                frameLength = ctx.compressDirectByteBuffer(frame, 0, frame.capacity(), raw, 0, blockSize);
            }
        }
        final int restoredLength = decompressor.decompress(frame, frameLength, restored);
        if (restoredLength != blockSize || MemorySegment.mismatch(rawSegment, 0, blockSize,
                MemorySegment.ofBuffer(restored), 0, blockSize) != -1) {
            throw new IllegalStateException("zstd round trip failed: restored " + restoredLength + " bytes");
        }
        System.out.printf("%n%s level %d: %d -> %d bytes (ratio %.2f)%s%n", content, level, blockSize, frameLength,
                (double) blockSize / frameLength, n > 0 ? "" : ", BlockCompressor: incompressible");
    }

    /** Frees the buffers and the zstd contexts. */
    @TearDown
    public void tearDown() {
        compressor.close();
        decompressor.close();
        arena.close();
    }

    /** Compresses one block; returns the compressed length (-1 when incompressible). */
    @Benchmark
    public int compress(final ByteCounter counter) {
        counter.bytes += blockSize;
        return compressor.compress(raw, blockSize, compressed);
    }

    /** Decompresses one frame back to a block; returns the raw length. */
    @Benchmark
    public int decompress(final ByteCounter counter) {
        counter.bytes += blockSize;
        return decompressor.decompress(frame, frameLength, restored);
    }
}
