package io.cairn.nativeio;

import java.io.IOException;

/**
 * A failed system call, carrying its errno.
 *
 * <p>The message names the call, the path, the arguments and the error, in this form:
 * {@code pread(/path/x, offset=4096, length=1048576) failed: EIO (Input/output error)}.
 * Branch on {@link #errno()} (compare with the {@link Errno} constants), never on the message.
 */
public class NativeIOException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String path;
    private final int errno;

    /**
     * @param call      the C function, e.g. {@code "pread"}
     * @param path      the file the descriptor was opened on, or null when there is none
     * @param arguments the other arguments as {@code name=value} pairs separated by ", ", or empty
     * @param errno     the error number
     */
    public NativeIOException(final String call, final String path, final String arguments, final int errno) {
        this(call, path, arguments, errno, Errno.describe(errno));
    }

    /** As the public constructor, with the description given rather than the C library's. */
    NativeIOException(final String call, final String path, final String arguments, final int errno,
                      final String description) {
        super(message(call, path, arguments, errno, description));
        this.call = call;
        this.path = path;
        this.errno = errno;
    }

    /**
     * The exception for a failed call: a {@link StorageFullException} for ENOSPC and EDQUOT, else this type.
     */
    static NativeIOException of(final String call, final String path, final String arguments, final int errno) {
        return Errno.isStorageFull(errno)
            ? new StorageFullException(call, path, arguments, errno)
            : new NativeIOException(call, path, arguments, errno);
    }

    /** The C function that failed, e.g. {@code "pread"}. */
    public String call() {
        return call;
    }

    /** The path the failing descriptor was opened on; null when the call had none. */
    public String path() {
        return path;
    }

    /** The error number, e.g. {@link Errno#EIO}. */
    public int errno() {
        return errno;
    }

    /** The symbolic error name, e.g. {@code "EIO"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    private static String message(final String call, final String path, final String arguments, final int errno,
                                  final String description) {
        final StringBuilder text = new StringBuilder(128).append(call).append('(');
        if (path != null) {
            text.append(path);
        }
        if (arguments != null && !arguments.isEmpty()) {
            text.append(path != null ? ", " : "").append(arguments);
        }
        return text.append(") failed: ").append(Errno.name(errno)).append(" (").append(description).append(')')
            .toString();
    }
}
