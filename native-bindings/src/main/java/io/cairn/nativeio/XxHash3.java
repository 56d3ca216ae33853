package io.cairn.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * XXH3-128 of off-heap memory by the system's xxHash C library ({@code libxxhash.so.0}, Debian package
 * {@code libxxhash0}), whose SIMD code (AVX2/AVX-512 through its CPU dispatcher) hashes several times faster than a
 * Java port.
 *
 * <p>Use: check {@link #available()} once (false when the library is missing, too old, or fails the self-test;
 * {@link #unavailableReason()} says why), then one instance per thread: {@link #hash128} puts the result in
 * {@link #low64()} and {@link #high64()}, the two fields of C's {@code XXH128_hash_t}. The canonical (big-endian)
 * 16-byte form is {@code high64} then {@code low64}.
 *
 * <p>Allocation: none per call once C2 has compiled the caller. {@code XXH3_128bits} returns its 16-byte struct by
 * value (in registers); the FFM linker asks a {@link SegmentAllocator} for the memory to put it in, and each
 * instance answers with the same preallocated segment. The linker also copies the registers out through a
 * per-call return buffer from a bounded arena (JDK 25, {@code SharedUtils.newBoundedArena}): 330-400 B of small
 * objects per call in the interpreter and C1, which C2's escape analysis removes. On a loaded 2-core host that
 * takes 30 000 to 400 000 calls (see XxHash3Test); the library has no variant writing through a pointer.
 *
 * <p>Design note: the library is linked in {@link XxHash3Library}'s static initialiser, on the first call to
 * {@link #available()} or the constructor and never before, so a JVM that does not hash, or a host without the
 * library, pays nothing and other users of this module are unaffected. The downcall is {@code critical} (no
 * Java-to-native thread-state transition): the call is short, never blocks and never calls back into Java; the
 * price is that a safepoint waits for it, at most the time to hash one block (20-100 us per MiB).
 *
 * <p>Threads: not thread-safe (the result lives in the instance); use one per thread.
 */
public final class XxHash3 {
    private static final long LOW64_OFFSET = 0;
    private static final long HIGH64_OFFSET = 8;

    private final MemorySegment result;
    /** Hands the linker the result segment for every call; allocated once, with the instance. */
    private final SegmentAllocator resultAllocator;

    /**
     * @throws UnsupportedOperationException with {@link #unavailableReason()} when the library is not usable
     */
    public XxHash3() {
        XxHash3Library.ensureAvailable();
        result = Arena.ofAuto().allocate(XxHash3Library.HASH128_LAYOUT);
        final MemorySegment r = result;
        resultAllocator = (byteSize, byteAlignment) -> r;
    }

    /** True when the native library is linked and passed its self-test (decided once, on the first call). */
    public static boolean available() {
        return XxHash3Library.available();
    }

    /** Why the library is not usable (not installed, too old, wrong results, no native access); empty if usable. */
    public static String unavailableReason() {
        return XxHash3Library.unavailableReason();
    }

    /** The library's version, e.g. "0.8.1"; empty when unavailable. */
    public static String libraryVersion() {
        return XxHash3Library.version();
    }

    /**
     * The C function in use: "XXH3_128bits_dispatch" (SSE2, AVX2 or AVX-512, chosen by CPUID) where the library
     * exports it, else "XXH3_128bits" (SSE2); empty when unavailable.
     */
    public static String function() {
        return XxHash3Library.symbol();
    }

    /**
     * XXH3-128 (seed 0) of the first {@code length} bytes of a native segment.
     *
     * @throws IllegalArgumentException for a heap segment (C cannot read the Java heap)
     * @throws IndexOutOfBoundsException when length is negative or runs past the segment
     */
    public void hash128(final MemorySegment data, final long length) {
        if (!data.isNative()) {
            throw new IllegalArgumentException("segment must be native (off-heap), not a heap segment");
        }
        Objects.checkFromIndexSize(0, length, data.byteSize());
        XxHash3Library.hash128(resultAllocator, data, length);
    }

    /** The low 64 bits of the last hash ({@code XXH128_hash_t.low64}; the last 8 canonical bytes). */
    public long low64() {
        return result.get(JAVA_LONG, LOW64_OFFSET);
    }

    /** The high 64 bits of the last hash ({@code XXH128_hash_t.high64}; the first 8 canonical bytes). */
    public long high64() {
        return result.get(JAVA_LONG, HIGH64_OFFSET);
    }
}
