package io.cairn.format.immutable;

import java.io.IOException;

/**
 * The immutable attribute could not be read or set for a reason the caller can branch on ({@link #kind()}): the
 * file system lacks the attribute, the process lacks the capability, or (while publishing) the record is damaged. Other I/O errors are plain IOExceptions.
 */
public final class ImmutableAttributeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the attribute is not available. */
    public enum Kind {
        /** The file system has no inode flags (ENOTTY, EOPNOTSUPP, EINVAL), or no native access in this process. */
        UNSUPPORTED,
        /** Setting or clearing the flag needs CAP_LINUX_IMMUTABLE (EPERM). */
        NOT_PERMITTED,
        /** The immutability record is damaged, so new files could not be recorded (and were not flagged). */
        RECORD_DAMAGED
    }

    private final Kind kind;

    public ImmutableAttributeException(final Kind kind, final String message, final Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
