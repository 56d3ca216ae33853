package io.cairn.bench;

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
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Why {@link io.cairn.nativeio.XxHash3} links {@code XXH3_128bits} with {@code Linker.Option.critical(false)}:
 * the same downcall with and without the thread-state transition, on small and block-sized inputs. The handles
 * are linked here (not through XxHash3) so that both variants run in one fork; each call returns the 16-byte
 * struct into one preallocated segment, as XxHash3 does.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE_MEMORY_ACCESS})
@State(Scope.Thread)
public class XxHash3DowncallBenchmark {
    private static final StructLayout HASH128 = MemoryLayout.structLayout(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor XXH3_128 = FunctionDescriptor.of(HASH128, ADDRESS, JAVA_LONG);
    private static final MethodHandle CRITICAL;
    private static final MethodHandle TRANSITION;

    static {
        final Linker linker = Linker.nativeLinker();
        final SymbolLookup library = SymbolLookup.libraryLookup("libxxhash.so.0", Arena.global());
        final MemorySegment symbol = library.find("XXH3_128bits_dispatch")
            .orElseGet(() -> library.findOrThrow("XXH3_128bits")); // as XxHash3 picks it
        CRITICAL = linker.downcallHandle(symbol, XXH3_128, Linker.Option.critical(false));
        TRANSITION = linker.downcallHandle(symbol, XXH3_128);
    }

    @Param({"64", "4096", "65536", "1048576"})
    int length;

    private Arena arena;
    private MemorySegment data;
    private MemorySegment result;
    private SegmentAllocator into;

    /** Makes the input and the result segment once. */
    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(length, 4096);
        BlockContent.RANDOM.fill(data, length, 42);
        result = arena.allocate(HASH128);
        final MemorySegment r = result;
        into = (byteSize, byteAlignment) -> r;
    }

    /** Frees both. */
    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** Critical downcall: no thread-state transition (what XxHash3 uses). */
    @Benchmark
    public long critical() throws Throwable {
        final MemorySegment ignored = (MemorySegment) CRITICAL.invokeExact(into, data, (long) length);
        return result.get(JAVA_LONG, 0) ^ result.get(JAVA_LONG, 8);
    }

    /** Ordinary downcall: Java to native and back, safepoint-safe while in C. */
    @Benchmark
    public long transition() throws Throwable {
        final MemorySegment ignored = (MemorySegment) TRANSITION.invokeExact(into, data, (long) length);
        return result.get(JAVA_LONG, 0) ^ result.get(JAVA_LONG, 8);
    }
}
