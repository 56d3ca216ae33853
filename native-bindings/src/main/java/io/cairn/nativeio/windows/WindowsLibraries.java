package io.cairn.nativeio.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place that looks up Windows DLLs and links downcalls, lazily: a DLL is looked up the first time a
 * binding needs it, and only after {@link WindowsNative#ensureAvailable()} has passed. The DLLs are loaded into
 * {@link Arena#global()} and never unloaded (they are system DLLs that stay loaded anyway).
 *
 * <p>{@link #lookupCount()} counts the lookups attempted, so a test can show that initialising every class of this
 * package on Linux looks up nothing.
 */
final class WindowsLibraries {
    static final Linker LINKER = Linker.nativeLinker();

    private static final AtomicInteger LOOKUPS = new AtomicInteger();
    private static final ConcurrentMap<String, SymbolLookup> LIBRARIES = new ConcurrentHashMap<>();

    private WindowsLibraries() {
    }

    /** How many DLL lookups were attempted in this JVM. */
    static int lookupCount() {
        return LOOKUPS.get();
    }

    /** The symbols of a system DLL, looked up on first use; throws UnsupportedOperationException off Windows. */
    static SymbolLookup library(final String dll) {
        WindowsNative.ensureAvailable();
        return LIBRARIES.computeIfAbsent(dll, WindowsLibraries::load);
    }

    @SuppressWarnings("restricted")
    private static SymbolLookup load(final String dll) {
        LOOKUPS.incrementAndGet();
        try {
            return SymbolLookup.libraryLookup(dll, Arena.global());
        } catch (final IllegalArgumentException e) {
            throw new UnsupportedOperationException("cannot load " + dll + ": " + e.getMessage(), e);
        }
    }

    /** A downcall to an exported function; UnsupportedOperationException naming the DLL when it is missing. */
    @SuppressWarnings("restricted")
    static MethodHandle downcall(final String dll, final String function, final FunctionDescriptor descriptor,
                                 final Linker.Option... options) {
        final MemorySegment symbol = library(dll).find(function).orElseThrow(
            () -> new UnsupportedOperationException(dll + " does not export " + function));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** The first of several export names that the DLL has (for exports known under more than one name). */
    @SuppressWarnings("restricted")
    static MethodHandle downcallFirst(final String dll, final FunctionDescriptor descriptor,
                                      final String... functions) {
        final SymbolLookup lookup = library(dll);
        for (final String function : functions) {
            final var symbol = lookup.find(function);
            if (symbol.isPresent()) {
                return LINKER.downcallHandle(symbol.get(), descriptor);
            }
        }
        throw new UnsupportedOperationException(dll + " exports none of " + String.join(", ", functions));
    }

    /** A downcall through a function pointer given as the handle's first argument (COM vtable calls). */
    @SuppressWarnings("restricted")
    static MethodHandle pointerDowncall(final FunctionDescriptor descriptor) {
        WindowsNative.ensureAvailable();
        return LINKER.downcallHandle(descriptor);
    }

    /**
     * Downcalls throw only for programming errors (a closed arena, a wrong segment): pass those on unchanged;
     * anything checked would be a JDK bug.
     */
    static RuntimeException unexpected(final Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected exception from a downcall", t);
    }
}
