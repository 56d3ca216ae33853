package io.cairn.bench;

import io.cairn.engine.codec.ZeroDetector;
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
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * {@link ZeroDetector#isZero} on one block, for the two contents that make it scan the whole block: all zeros
 * ({@code ZERO}) and zeros with a non-zero last byte ({@code LAST_BYTE_SET}). Any other non-zero block returns
 * earlier, so these bound its cost from above.
 * <p>
 * Throughput: one op tests one block; the {@code isZero:bytes} row is bytes/s (ops/s * blockSize).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_NIO_CH, JvmFlags.EXPORT_REF, JvmFlags.OPEN_REFLECT, JvmFlags.NO_CHRONICLE_ANALYTICS})
@State(Scope.Thread)
public class ZeroDetectionBenchmark {
    /** What the tested block holds. */
    public enum Content {
        /** All zeros: the detector scans to the end and answers true. */
        ZERO,
        /** Zeros except the last byte: the detector scans to the end and answers false. */
        LAST_BYTE_SET
    }

    @Param({"65536", "1048576"})
    int blockSize;

    @Param({"ZERO", "LAST_BYTE_SET"})
    Content content;

    private Arena arena;
    private MemorySegment block;
    private ZeroDetector detector;

    /** Allocates the block and the detector's zero segment once; checks the detector's answer. */
    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        block = arena.allocate(blockSize, 4096); // zeroed, and so already touched
        if (content == Content.LAST_BYTE_SET) {
            block.set(ValueLayout.JAVA_BYTE, blockSize - 1, (byte) 1);
        }
        detector = new ZeroDetector(arena, blockSize);
        if (detector.isZero(block, blockSize) != (content == Content.ZERO)) {
            throw new IllegalStateException("ZeroDetector gave the wrong answer for " + content);
        }
    }

    /** Frees the block and the zero segment. */
    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** Tests one block. */
    @Benchmark
    public boolean isZero(final ByteCounter counter) {
        counter.bytes += blockSize;
        return detector.isZero(block, blockSize);
    }
}
