package io.cairn.engine.source.nbd;

import java.io.IOException;

/**
 * The NBD server answered a command with an error (an error chunk or a simple error reply). The connection stays
 * usable. {@link #error()} is the NBD error value (an errno such as 5 = EIO, 22 = EINVAL).
 */
public final class NbdServerException extends IOException {
    private final int error;

    NbdServerException(final String message, final int error) {
        super(message);
        this.error = error;
    }

    /** The NBD error value. */
    public int error() {
        return error;
    }
}
