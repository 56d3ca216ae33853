/**
 * JMH benchmarks of the engine's kernels, one class per kernel; nothing imports this package.
 * <p>
 * Build and run with {@code benchmarks/run-jmh.sh} (JDK 25, {@code -prof gc} always on), e.g.
 * {@code benchmarks/run-jmh.sh ZeroDetection -wi 1 -i 2 -w 2s -r 2s}. Every class forks once with the flags in
 * {@link io.cairn.bench.JvmFlags}, measures {@code Mode.Throughput} per second, and, where a call processes bytes,
 * reports a {@code :bytes} row in bytes/s through {@link io.cairn.bench.ByteCounter}. Inputs are made once, off
 * heap, in {@code @Setup}, with deterministic content ({@link io.cairn.bench.BlockContent}). The defaults are
 * 3 warm-up and 5 measurement iterations of 5 s.
 * <p>
 * The rule the benchmarks check (house style 5): the {@code gc.alloc.rate.norm} row of every hot-path kernel stays
 * at about 0 B/op. Read it after a long enough warm-up: the slow kernels (zstd on compressible data, pack append,
 * O_DIRECT reads) make only a few hundred to a few thousand calls per second, so after a 2-second warm-up their
 * code may still run in C1, which has no escape analysis. zstd-jni's FFM binding then shows the ~300 B per call of
 * temporaries ({@code ByteBuffer.duplicate}, {@code MemorySegment.ofBuffer}, {@code asSlice}) that C2 removes, and
 * one-time method-handle customisation shows up as a few B/op. JMH's own bookkeeping adds about 0.004 MB/s, which
 * is several B/op at such low call rates.
 */
package io.cairn.bench;
