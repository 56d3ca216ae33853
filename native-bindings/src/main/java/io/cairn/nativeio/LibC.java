package io.cairn.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcall handles into glibc and thin typed wrappers. Each handle lives in its own holder class and is linked
 * at its first call: linking costs ~13 ms a handle on the 2-core build machine (the JDK spins classes per call
 * shape), and a backup uses about half of them; linking all 14 up front was 0.18 s of every command's start.
 * {@link #initialise()} still checks that every symbol exists, so a C library that lacks one is reported once.
 *
 * <p>Only {@link NativeSupport} may trigger this class's initialisation (see its design note); every public entry
 * point calls {@link NativeSupport#ensureAvailable()} first.
 *
 * <p>errno: every handle that can fail is linked with {@code captureCallState("errno")} and takes the capture
 * segment as its first argument. {@link #captureState()} hands out one segment per thread, allocated on the
 * thread's first call, so a call allocates nothing afterwards and several threads may use one file at once.
 *
 * <p>Variadic functions ({@code open}, {@code ioctl}) are linked with {@code firstVariadicArg(2)}: on x86-64 the
 * caller of a variadic function must set {@code %al}, and passing variadic arguments as fixed ones happens to work
 * there but not on other ABIs. {@code fcntl} would need the same; it is not bound yet.
 *
 * <p>File status uses {@code statx(fd, "", AT_EMPTY_PATH)} rather than {@code fstat}: the {@code struct statx}
 * layout is the same on every architecture, while {@code struct stat} differs (x86-64 puts {@code st_mode} at 24),
 * and glibc exports the {@code fstat} symbol only since 2.33 whereas {@code statx} is there since 2.28 (this
 * class needs 2.32 anyway, for {@code strerrordesc_np}).
 */
final class LibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final Linker.Option VARIADIC_FROM_2 = Linker.Option.firstVariadicArg(2);

    /** Every symbol a holder below links; {@link #initialise()} checks they exist without linking any. */
    private static final String[] SYMBOLS = {
        "open", "close", "pread", "pwrite", "fsync", "fdatasync", "ftruncate", "fallocate", "lseek", "posix_fadvise",
        "ioctl", "statx", "isatty", "strerrordesc_np"};

    private static final class Open {
        static final MethodHandle H =
            downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO, VARIADIC_FROM_2);
    }

    private static final class Close {
        static final MethodHandle H =
            downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    }

    private static final class Pread {
        static final MethodHandle H =
            downcall("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), ERRNO);
    }

    private static final class Pwrite {
        static final MethodHandle H =
            downcall("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), ERRNO);
    }

    private static final class Fsync {
        static final MethodHandle H =
            downcall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    }

    private static final class Fdatasync {
        static final MethodHandle H =
            downcall("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    }

    private static final class Ftruncate {
        static final MethodHandle H =
            downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
    }

    private static final class Fallocate {
        static final MethodHandle H =
            downcall("fallocate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO);
    }

    private static final class Lseek {
        static final MethodHandle H =
            downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO);
    }

    /** Returns the error number instead of setting errno, so no capture. */
    private static final class PosixFadvise {
        static final MethodHandle H =
            downcall("posix_fadvise", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    private static final class Ioctl {
        static final MethodHandle H =
            downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO, VARIADIC_FROM_2);
    }

    private static final class Statx {
        static final MethodHandle H =
            downcall("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), ERRNO);
    }

    private static final class Isatty {
        static final MethodHandle H =
            downcall("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    /** Thread-safe and locale-free (glibc 2.32+); returns NULL for unknown numbers. */
    private static final class StrerrordescNp {
        static final MethodHandle H =
            downcall("strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /** The empty C string for statx with AT_EMPTY_PATH. */
    private static final MemorySegment EMPTY_PATH = Arena.global().allocate(1);

    /** One capture segment per thread; each has its own automatic arena so it is freed with its thread. */
    private static final ThreadLocal<MemorySegment> CAPTURE =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private LibC() {
    }

    /** Called by {@link NativeSupport} only, to run the static initialiser where a failure can be caught. */
    static void initialise() {
        final SymbolLookup lookup = LINKER.defaultLookup();
        for (final String name : SYMBOLS) {
            if (lookup.find(name).isEmpty()) {
                throw new UnsatisfiedLinkError("symbol " + name + " not found in the C library");
            }
        }
    }

    /**
     * Links the handles that reading and writing files needs, in the order a backup or restore first calls them;
     * {@link NativeWarmup} runs this on a background thread at start. A handle another thread needs meanwhile is
     * linked once: class initialisation makes that thread wait for this one.
     */
    static void prelinkFileHandles() {
        final MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (final Class<?> holder : List.of(Open.class, Statx.class, PosixFadvise.class, Isatty.class, Close.class,
            Lseek.class, Pwrite.class, Fdatasync.class)) {
            try {
                lookup.ensureInitialized(holder);
            } catch (final IllegalAccessException e) {
                throw new IllegalStateException(e); // a nested class of this one: cannot happen
            }
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(final String name, final FunctionDescriptor descriptor,
                                         final Linker.Option... options) {
        final MemorySegment symbol = LINKER.defaultLookup().findOrThrow(name);
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    @SuppressWarnings("restricted")
    private static String cString(final MemorySegment pointer) {
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** This thread's errno capture segment; allocated on the thread's first call only. */
    static MemorySegment captureState() {
        return CAPTURE.get();
    }

    static int errno(final MemorySegment captureState) {
        return captureState.get(JAVA_INT, ERRNO_OFFSET);
    }

    static int open(final MemorySegment capture, final MemorySegment path, final int flags, final int mode) {
        try {
            return (int) Open.H.invokeExact(capture, path, flags, mode);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static int close(final MemorySegment capture, final int fd) {
        try {
            return (int) Close.H.invokeExact(capture, fd);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static long pread(final MemorySegment capture, final int fd, final MemorySegment dst, final long length,
                      final long offset) {
        try {
            return (long) Pread.H.invokeExact(capture, fd, dst, length, offset);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static long pwrite(final MemorySegment capture, final int fd, final MemorySegment src, final long length,
                       final long offset) {
        try {
            return (long) Pwrite.H.invokeExact(capture, fd, src, length, offset);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static int fsync(final MemorySegment capture, final int fd) {
        try {
            return (int) Fsync.H.invokeExact(capture, fd);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static int fdatasync(final MemorySegment capture, final int fd) {
        try {
            return (int) Fdatasync.H.invokeExact(capture, fd);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static int ftruncate(final MemorySegment capture, final int fd, final long length) {
        try {
            return (int) Ftruncate.H.invokeExact(capture, fd, length);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static int fallocate(final MemorySegment capture, final int fd, final int mode, final long offset,
                         final long length) {
        try {
            return (int) Fallocate.H.invokeExact(capture, fd, mode, offset, length);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static long lseek(final MemorySegment capture, final int fd, final long offset, final int whence) {
        try {
            return (long) Lseek.H.invokeExact(capture, fd, offset, whence);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /** Returns 0 or an error number (posix_fadvise does not set errno). */
    static int posixFadvise(final int fd, final long offset, final long length, final int advice) {
        try {
            return (int) PosixFadvise.H.invokeExact(fd, offset, length, advice);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static int ioctl(final MemorySegment capture, final int fd, final long request, final MemorySegment argument) {
        try {
            return (int) Ioctl.H.invokeExact(capture, fd, request, argument);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /** statx(fd, "", AT_EMPTY_PATH, mask, buffer): the status of an open descriptor. */
    static int fstatx(final MemorySegment capture, final int fd, final int mask, final MemorySegment statxBuffer) {
        try {
            return (int) Statx.H.invokeExact(capture, fd, EMPTY_PATH, LinuxConstants.AT_EMPTY_PATH, mask, statxBuffer);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static boolean isatty(final int fd) {
        try {
            return (int) Isatty.H.invokeExact(fd) == 1;
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /** strerror text without locale, e.g. "Input/output error"; null for numbers glibc does not know. */
    static String strerrordesc(final int errno) {
        try {
            final MemorySegment text = (MemorySegment) StrerrordescNp.H.invokeExact(errno);
            return text.equals(MemorySegment.NULL) ? null : cString(text);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * Downcalls throw only for programming errors (a heap segment, a closed arena, a wrong thread): pass those on
     * unchanged; anything checked would be a JDK bug.
     */
    private static RuntimeException unexpected(final Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected exception from a downcall", t);
    }
}
