package io.cairn.engine.source.vhdx;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A VHDX file whose structures are damaged, hostile or outside what MS-VHDX allows. The message names the file and
 * the file offset of the structure at fault, on one line.
 */
public final class CorruptVhdxException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;
    private final long offset;

    /**
     * @param path   the VHDX file
     * @param offset file offset of the damaged structure, or -1 when it has none
     * @param detail what is wrong, with the actual and the allowed values
     */
    public CorruptVhdxException(final Path path, final long offset, final String detail) {
        super("VHDX " + path + (offset >= 0 ? " at offset " + offset : "") + ": " + detail);
        this.path = path;
        this.offset = offset;
    }

    /** The damaged file. */
    public Path path() {
        return path;
    }

    /** File offset of the damaged structure, or -1. */
    public long offset() {
        return offset;
    }
}
