package io.cairn.engine.move;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The target already has a restore point file with the moved point's id but different bytes. Ids are unique across
 * repositories (UUIDv7), so this is never a state a move leaves behind: the move refuses to touch either copy.
 */
public final class PointConflictException extends IOException {
    private static final long serialVersionUID = 1L;

    public PointConflictException(final Path targetFile) {
        super("the target already has a restore point with this id but different content (" + targetFile
                + "); neither copy was changed");
    }
}
