package io.cairn.engine.codec;

import io.cairn.nativeio.XxHash3;
import net.openhft.hashing.LongTupleHashFunction;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * XXH3-128 block ids (FORMAT.md section 1) without allocation: the result lands in {@link #hi()}/{@link #lo()},
 * the canonical id's two big-endian halves.
 * <p>
 * Two implementations give the same ids: the system's xxHash C library ({@link XxHash3}, SIMD, several times
 * faster) when it is installed and passes its self-test, else zero-allocation-hashing's Java port. Every backup,
 * restore and deep check hashes each block once, so on a machine whose cores are busy compressing, the hash's CPU
 * time is throughput. {@code -Dcairn.xxhash.native=false} forces the Java one; {@link #implementation()} says which
 * is in use. The choice is made silently, when a hasher is made.
 * <p>
 * Allocation: none per call with either, once C2 has compiled the caller. Before that, the native call allocates
 * the FFM linker's return buffer for the 16-byte struct (330-400 B per call; see {@link XxHash3}), for tens of
 * thousands of calls; the Java one allocates nothing even when interpreted.
 * <p>
 * Threads: one instance per thread.
 */
public final class BlockHasher {
    /** System property; "false" forces the Java implementation. */
    public static final String NATIVE_PROPERTY = "cairn.xxhash.native";
    private static final LongTupleHashFunction XXH3_128 = LongTupleHashFunction.xx128();

    /** Null when hashing in Java. */
    private final XxHash3 xxh3;
    /** Java implementation's result: [low64, high64]. */
    private final long[] result = XXH3_128.newResultArray();

    /** Uses the native library when it is usable and not switched off (see {@link #implementation()}). */
    public BlockHasher() {
        this(nativeByDefault());
    }

    /**
     * A chosen implementation, for tests and benchmarks that compare both; everything else uses
     * {@link #BlockHasher()}.
     *
     * @throws UnsupportedOperationException when {@code useNative} and the library is not usable
     */
    public BlockHasher(final boolean useNative) {
        this.xxh3 = useNative ? new XxHash3() : null;
    }

    /**
     * Which implementation {@code new BlockHasher()} uses, for version and diagnostics output, e.g.
     * "native (libxxhash 0.8.1, XXH3_128bits_dispatch)", "java (-Dcairn.xxhash.native=false)" or
     * "java (libxxhash.so.0 is not usable (...); install the libxxhash0 package)".
     */
    public static String implementation() {
        if (nativeByDefault()) {
            return "native (libxxhash " + XxHash3.libraryVersion() + ", " + XxHash3.function() + ")";
        }
        if ("false".equalsIgnoreCase(System.getProperty(NATIVE_PROPERTY))) {
            return "java (-D" + NATIVE_PROPERTY + "=false)";
        }
        return "java (" + XxHash3.unavailableReason() + ")";
    }

    /** Read at each construction (one per pipeline thread, not per block), so tests can switch it. */
    private static boolean nativeByDefault() {
        return !"false".equalsIgnoreCase(System.getProperty(NATIVE_PROPERTY)) && XxHash3.available();
    }

    /** True when this instance hashes with the native library. */
    public boolean isNative() {
        return xxh3 != null;
    }

    /**
     * Hashes length bytes of a native segment from its start.
     *
     * @throws IllegalArgumentException for a heap segment (it has no native address to hash from)
     * @throws IndexOutOfBoundsException when length is negative or runs past the segment
     */
    public void hash(final MemorySegment segment, final long length) {
        // hashMemory reads raw native memory with no bounds check: check here, or a wrong length or a heap
        // segment (whose address() is an array offset) reads arbitrary memory or crashes the JVM
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment must be native (off-heap), not a heap segment");
        }
        Objects.checkFromIndexSize(0, length, segment.byteSize());
        if (xxh3 != null) {
            xxh3.hash128(segment, length);
        } else {
            XXH3_128.hashMemory(segment.address(), length, result);
        }
    }

    /** High 64 bits (first 8 canonical bytes): XXH128_hash_t.high64. */
    public long hi() {
        return xxh3 != null ? xxh3.high64() : result[1];
    }

    /** Low 64 bits (last 8 canonical bytes): XXH128_hash_t.low64. */
    public long lo() {
        return xxh3 != null ? xxh3.low64() : result[0];
    }
}
