package io.cairn.format;

import java.io.IOException;
import java.nio.file.Path;

/** The directory given as a repository has no valid Cairn config. */
public final class NotARepositoryException extends IOException {
    private static final long serialVersionUID = 1L;

    public NotARepositoryException(final Path dir, final String why) {
        super(dir + " is not a Cairn repository (" + why + "); create one with 'cairn init --repo " + dir + "'");
    }
}
