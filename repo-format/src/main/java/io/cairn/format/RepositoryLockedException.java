package io.cairn.format;

import java.io.IOException;
import java.nio.file.Path;

/** Another live process holds the repository's writer lock. */
public final class RepositoryLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    public RepositoryLockedException(final Path repo, final String holder) {
        super("repository " + repo + " is locked by another running writer (" + holder + "); wait for it to finish");
    }
}
