package io.cairn.format.immutable;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A delete (retention, compact, a restore point's removal) was refused because the file is protected by
 * {@code cairn immutable} until a later time (FORMAT.md section 12). Nothing was changed.
 */
public final class ProtectedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;
    private final Instant until;

    public ProtectedException(final Path path, final Instant until) {
        super(path + " is protected until " + until + " (cairn immutable); it cannot be deleted before then");
        this.path = path;
        this.until = until;
    }

    /** The protected file. */
    public Path path() {
        return path;
    }

    /** When its protection ends. */
    public Instant until() {
        return until;
    }
}
