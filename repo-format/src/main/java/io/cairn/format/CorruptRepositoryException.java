package io.cairn.format;

import java.io.IOException;
import java.nio.file.Path;

/** A repository file that breaks FORMAT.md: bad magic, checksum, bound or structure. Names the file and offset. */
public class CorruptRepositoryException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;
    private final long offset;
    private final String detail;

    public CorruptRepositoryException(final Path path, final long offset, final String detail) {
        super(path + (offset >= 0 ? " at offset " + offset : "") + ": " + detail);
        this.path = path;
        this.offset = offset;
        this.detail = detail;
    }

    /** What is wrong, without the path and offset (for a caller that re-throws with more context). */
    public String detail() {
        return detail;
    }

    /** The damaged file. */
    public Path path() {
        return path;
    }

    /** Offset of the damage within the file, or -1 when it concerns the whole file. */
    public long offset() {
        return offset;
    }
}
