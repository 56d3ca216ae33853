package io.cairn.engine.source;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A disk to back up, read block by block into off-heap buffers. Never written to.
 * <p>
 * Threads: {@link #read} may be called from one reader thread; the others from the orchestrating thread.
 */
public interface BlockSource extends AutoCloseable {
    /** Virtual size in bytes. */
    long size();

    /** Where it was read from (path or address), for the manifest and messages. */
    String describe();

    /** How the source identifies itself (device, inode, size, mtime), for the manifest. */
    String identity();

    /**
     * Start of the next data extent at or after offset, or -1 when only holes follow. Sources that cannot tell
     * return offset (everything is data).
     */
    long nextData(long offset) throws IOException;

    /** End of the data extent that contains offset (the next hole), or size() when it runs to the end. */
    long nextHole(long offset) throws IOException;

    /**
     * Reads exactly {@code length} bytes at {@code offset} into dst (a 4096-aligned native segment of at least
     * {@code alignUp(length)} bytes). Bytes past the source's end read as zeros.
     */
    void read(MemorySegment dst, long offset, int length) throws IOException;

    @Override
    void close() throws IOException;
}
