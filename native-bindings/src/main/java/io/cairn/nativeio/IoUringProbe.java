package io.cairn.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;

import static io.cairn.nativeio.IoUringLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Decides once whether {@link IoUring} can work here: native access usable, {@code io_uring_setup} permitted
 * (kernel 5.1+, {@code kernel.io_uring_disabled} not set, no seccomp filter refusing it, as Docker's default
 * profile does since 25.0), single-mmap rings (5.4+) and {@code IORING_OP_READ} listed as supported by
 * {@code IORING_REGISTER_PROBE} (5.6+).
 */
final class IoUringProbe {
    /** Ops the probe asks about; IORING_OP_READ (22) is well inside. */
    private static final int PROBE_OPS = 64;

    private IoUringProbe() {
    }

    /** Null when io_uring reads are usable, else a one-line reason. */
    static String probe() {
        if (!NativeSupport.available()) {
            return NativeSupport.unavailableReason();
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment capture = arena.allocate(Linker.Option.captureStateLayout());
            final MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
            final int fd = UringCalls.setup(capture, 2, params);
            if (fd < 0) {
                final int errno = LibC.errno(capture);
                return "io_uring_setup failed: " + Errno.name(errno) + switch (errno) {
                    case Errno.ENOSYS -> " (kernel without io_uring, or a seccomp filter refuses it)";
                    case Errno.EPERM, Errno.EACCES -> " (sysctl kernel.io_uring_disabled or a seccomp filter)";
                    default -> " (" + Errno.describe(errno) + ")";
                };
            }
            try {
                if ((params.get(JAVA_INT, PARAMS_FEATURES) & IORING_FEAT_SINGLE_MMAP)
                    == 0) {
                    return "io_uring lacks IORING_FEAT_SINGLE_MMAP (kernel before 5.4)";
                }
                final MemorySegment probe = arena.allocate(PROBE_HEADER_SIZE + PROBE_OP_SIZE * PROBE_OPS, 8);
                if (UringCalls.register(capture, fd, IORING_REGISTER_PROBE, probe, PROBE_OPS) < 0) {
                    return "IORING_REGISTER_PROBE failed: " + Errno.name(LibC.errno(capture)) + " (kernel before 5.6)";
                }
                final int lastOp = Byte.toUnsignedInt(probe.get(JAVA_BYTE, PROBE_LAST_OP));
                final int opsLength = Byte.toUnsignedInt(probe.get(JAVA_BYTE, PROBE_OPS_LEN));
                final long op = PROBE_HEADER_SIZE + PROBE_OP_SIZE * IORING_OP_READ;
                if (lastOp < IORING_OP_READ || opsLength <= IORING_OP_READ
                    || (probe.get(JAVA_SHORT, op + PROBE_OP_FLAGS) & IO_URING_OP_SUPPORTED) == 0) {
                    return "io_uring does not support IORING_OP_READ (kernel before 5.6)";
                }
                return null;
            } finally {
                LibC.close(capture, fd);
            }
        } catch (final LinkageError e) {
            return "linking syscall/mmap failed (" + e + ")";
        }
    }
}
