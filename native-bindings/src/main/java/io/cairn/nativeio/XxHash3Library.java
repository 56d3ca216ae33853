package io.cairn.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Links {@code libxxhash.so.0} once, on first use, and decides whether {@link XxHash3} may use it, and why not.
 *
 * <p>Design note: this class is separate from {@link LibC} and {@link NativeSupport} so that a missing or broken
 * xxHash library never disables the rest of this module (and is not even opened unless someone hashes). The
 * handles live in the nested {@link Handles} class, whose initialiser is run inside {@link #probe()} where a
 * failure becomes a reason instead of an {@link ExceptionInInitializerError} in the middle of a backup.
 *
 * <p>Checks, in order: native access usable ({@link NativeSupport}); the library opens and exports
 * {@code XXH3_128bits} (or its CPU-dispatching variant, see {@link Handles#XXH3_128_SYMBOL}) and
 * {@code XXH_versionNumber}; the version is 0.8.0 or newer (XXH3's output was not stable
 * before 0.8.0, and block ids must never change); and two known vectors, one short and one over 240 bytes (the
 * SIMD code path), hash to the reference values. A library that passes computes the same ids as the Java
 * implementation, which the engine's tests check across every XXH3 code path.
 */
final class XxHash3Library {
    static final String LIBRARY = "libxxhash.so.0";
    /** C's {@code XXH128_hash_t}: {@code { XXH64_hash_t low64; XXH64_hash_t high64; }}. */
    static final StructLayout HASH128_LAYOUT =
        MemoryLayout.structLayout(JAVA_LONG.withName("low64"), JAVA_LONG.withName("high64"));
    private static final int MIN_VERSION = 800;

    /** The version text, e.g. "0.8.1"; set by a successful probe only (it runs first, in the static initialiser). */
    private static String version = "";
    private static final String UNAVAILABLE_REASON = probe();

    private XxHash3Library() {
    }

    static boolean available() {
        return UNAVAILABLE_REASON == null;
    }

    static String unavailableReason() {
        return UNAVAILABLE_REASON == null ? "" : UNAVAILABLE_REASON;
    }

    static String version() {
        return UNAVAILABLE_REASON == null ? version : "";
    }

    /** The C function hashing, "XXH3_128bits_dispatch" or "XXH3_128bits"; empty when unavailable. */
    static String symbol() {
        return UNAVAILABLE_REASON == null ? Handles.XXH3_128_SYMBOL : "";
    }

    static void ensureAvailable() {
        if (UNAVAILABLE_REASON != null) {
            throw new UnsupportedOperationException(UNAVAILABLE_REASON);
        }
    }

    /** XXH3_128bits(data, length) into the segment that {@code resultAllocator} hands out. */
    static void hash128(final SegmentAllocator resultAllocator, final MemorySegment data, final long length) {
        try {
            final MemorySegment ignored = (MemorySegment) Handles.XXH3_128.invokeExact(resultAllocator, data, length);
        } catch (final RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw new IllegalStateException("unexpected exception from a downcall", t);
        }
    }

    private static String probe() {
        if (!NativeSupport.available()) {
            return NativeSupport.unavailableReason();
        }
        final int number;
        try {
            number = (int) Handles.VERSION_NUMBER.invokeExact();
        } catch (final ExceptionInInitializerError e) {
            final Throwable cause = e.getCause() != null ? e.getCause() : e;
            return LIBRARY + " is not usable (" + cause.getMessage() + "); install the libxxhash0 package";
        } catch (final LinkageError e) {
            return LIBRARY + " is not usable (" + e + "); install the libxxhash0 package";
        } catch (final Throwable t) {
            return "calling XXH_versionNumber failed (" + t + ")";
        }
        final String text = (number / 10000) + "." + (number / 100 % 100) + "." + (number % 100);
        if (number < MIN_VERSION) {
            return LIBRARY + " is version " + text + "; XXH3 needs 0.8.0 or newer (its output changed before)";
        }
        final String selfTest = selfTest();
        if (selfTest != null) {
            return LIBRARY + " " + text + " computes wrong XXH3-128 values (" + selfTest + ")";
        }
        version = text;
        return null;
    }

    /**
     * Null when the library gives the reference values (from {@code xxhsum -H2}, xxHash 0.8.1) for "abc" and for
     * 1024 pattern bytes {@code (i*31 + (i>>8)*7 + 1) & 0xff}, as in the engine's BlockHasherTest; else what it
     * gave.
     */
    private static String selfTest() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment result = arena.allocate(HASH128_LAYOUT);
            final SegmentAllocator into = (byteSize, byteAlignment) -> result;
            final MemorySegment abc = arena.allocate(3);
            abc.set(JAVA_BYTE, 0, (byte) 'a');
            abc.set(JAVA_BYTE, 1, (byte) 'b');
            abc.set(JAVA_BYTE, 2, (byte) 'c');
            hash128(into, abc, 3);
            if (result.get(JAVA_LONG, 8) != 0x06b05ab6733a6185L || result.get(JAVA_LONG, 0) != 0x78af5f94892f3950L) {
                return "\"abc\" gave " + hex(result);
            }
            final MemorySegment pattern = arena.allocate(1024, 64);
            for (int i = 0; i < 1024; i++) {
                pattern.set(JAVA_BYTE, i, (byte) (i * 31 + (i >> 8) * 7 + 1));
            }
            hash128(into, pattern, 1024);
            if (result.get(JAVA_LONG, 8) != 0xb969a5b740955188L || result.get(JAVA_LONG, 0) != 0x378dd4537ffb8737L) {
                return "1024 pattern bytes gave " + hex(result);
            }
            return null;
        }
    }

    private static String hex(final MemorySegment result) {
        return String.format("%016x%016x", result.get(JAVA_LONG, 8), result.get(JAVA_LONG, 0));
    }

    /** The downcall handles; initialised (library opened) by {@link #probe()} only. */
    private static final class Handles {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LOOKUP = open();
        /**
         * {@code XXH3_128bits_dispatch} where the library has it (Debian builds it with xxh_x86dispatch.c): the
         * same function and results, but it picks SSE2, AVX2 or AVX-512 by CPUID on its first call, where plain
         * {@code XXH3_128bits} is compiled for the x86-64 baseline (SSE2), 4-5 times slower on an AVX-512 CPU.
         */
        static final String XXH3_128_SYMBOL =
            LOOKUP.find("XXH3_128bits_dispatch").isPresent() ? "XXH3_128bits_dispatch" : "XXH3_128bits";
        /** {@code XXH128_hash_t XXH3_128bits(const void* data, size_t len)}; critical: see {@link XxHash3}. */
        static final MethodHandle XXH3_128 = downcall(XXH3_128_SYMBOL,
            FunctionDescriptor.of(HASH128_LAYOUT, ADDRESS, JAVA_LONG), Linker.Option.critical(false));
        /** {@code unsigned XXH_versionNumber(void)}: major*10000 + minor*100 + release. */
        static final MethodHandle VERSION_NUMBER = downcall("XXH_versionNumber", FunctionDescriptor.of(JAVA_INT));

        private Handles() {
        }

        @SuppressWarnings("restricted")
        private static SymbolLookup open() {
            return SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        }

        @SuppressWarnings("restricted")
        private static MethodHandle downcall(final String name, final FunctionDescriptor descriptor,
                                             final Linker.Option... options) {
            return LINKER.downcallHandle(LOOKUP.findOrThrow(name), descriptor, options);
        }
    }
}
