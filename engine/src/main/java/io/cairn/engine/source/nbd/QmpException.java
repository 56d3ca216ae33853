package io.cairn.engine.source.nbd;

import java.io.IOException;

/** QEMU refused a QMP command; the message is QMP's {@code desc}, {@link #errorClass()} its {@code class}. */
public final class QmpException extends IOException {
    private final String errorClass;

    QmpException(final String message, final String errorClass) {
        super(message);
        this.errorClass = errorClass;
    }

    /** QMP's error class, for example {@code GenericError} or {@code CommandNotFound}. */
    public String errorClass() {
        return errorClass;
    }
}
