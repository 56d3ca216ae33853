package io.cairn.nativeio;

/**
 * The file system or the user's quota is full (ENOSPC or EDQUOT). The daemon can react to this one specifically:
 * prune, pause, or report "repository full" rather than a generic I/O error.
 */
public final class StorageFullException extends NativeIOException {
    private static final long serialVersionUID = 1L;

    /** See {@link NativeIOException#NativeIOException(String, String, String, int)}. */
    public StorageFullException(final String call, final String path, final String arguments, final int errno) {
        super(call, path, arguments, errno);
    }
}
