package io.cairn.format;

import java.io.IOException;
import java.nio.file.Path;

/** The repository (or one of its files) was written by a newer Cairn with a format version this reader does not know. */
public final class FormatTooNewException extends IOException {
    private static final long serialVersionUID = 1L;

    public FormatTooNewException(final Path path, final int found, final int newestKnown) {
        super(path + ": repository format version " + found + " is newer than this Cairn supports (" + newestKnown
                + "); upgrade Cairn to read it");
    }
}
