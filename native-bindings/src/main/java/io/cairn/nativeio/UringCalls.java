package io.cairn.nativeio;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls for io_uring: {@code syscall(2)} (glibc has no io_uring wrappers), {@code mmap} and {@code munmap}.
 *
 * <p>Only {@link IoUring} initialises this class, and only after {@link NativeSupport#available()} said yes, so a
 * JVM without {@code --enable-native-access} never links these handles (the design note of NativeSupport).
 *
 * <p>{@code syscall} is variadic from its second argument ({@code firstVariadicArg(1)}). Every variadic argument is
 * passed as a 64-bit {@code long}: glibc's {@code syscall} moves six full registers into the kernel's argument
 * registers, and the kernel narrows each to the parameter's declared type, so a long carries an int or a pointer
 * exactly, with no undefined upper half.
 */
final class UringCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    /** long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6). */
    private static final MethodHandle SYSCALL6 = downcall("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
        JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), ERRNO, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = downcall("mmap",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
    private static final MethodHandle MUNMAP =
        downcall("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO);

    private UringCalls() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(final String name, final FunctionDescriptor descriptor,
                                         final Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, options);
    }

    /** A native segment of {@code length} bytes at {@code address} (memory this class mapped). */
    @SuppressWarnings("restricted")
    static MemorySegment segment(final long address, final long length) {
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /** io_uring_setup(entries, params): the ring's descriptor, or -1 with errno in {@code capture}. */
    static int setup(final MemorySegment capture, final int entries, final MemorySegment params) {
        return (int) syscall(capture, IoUringLayout.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
    }

    /** io_uring_enter(fd, toSubmit, minComplete, flags, NULL, 0): SQEs consumed, or -1 with errno. */
    static int enter(final MemorySegment capture, final int ringFd, final int toSubmit, final int minComplete,
                     final int flags) {
        return (int) syscall(capture, IoUringLayout.SYS_IO_URING_ENTER, ringFd, toSubmit, minComplete, flags, 0, 0);
    }

    /** io_uring_register(fd, opcode, arg, nrArgs): 0 or a positive value, or -1 with errno. */
    static int register(final MemorySegment capture, final int ringFd, final int opcode, final MemorySegment arg,
                        final int nrArgs) {
        return (int) syscall(capture, IoUringLayout.SYS_IO_URING_REGISTER, ringFd, opcode, arg.address(), nrArgs,
            0, 0);
    }

    /** mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset): address or MAP_FAILED. */
    static long mmap(final MemorySegment capture, final long length, final int fd, final long offset) {
        try {
            return (long) MMAP.invokeExact(capture, 0L, length, IoUringLayout.PROT_READ_WRITE,
                IoUringLayout.MAP_SHARED_POPULATE, fd, offset);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    static int munmap(final MemorySegment capture, final long address, final long length) {
        try {
            return (int) MUNMAP.invokeExact(capture, address, length);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

    private static long syscall(final MemorySegment capture, final long number, final long a1, final long a2,
                                final long a3, final long a4, final long a5, final long a6) {
        try {
            return (long) SYSCALL6.invokeExact(capture, number, a1, a2, a3, a4, a5, a6);
        } catch (final Throwable t) {
            throw unexpected(t);
        }
    }

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
