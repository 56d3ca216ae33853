package io.cairn.engine.source;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.function.IntConsumer;

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
     * True when {@link #nextData}, {@link #nextHole} and reads may come in any order of offsets at no extra cost
     * (no cursor that only moves forward, no seek penalty that matters): then a backup reads a few stripes of the
     * disk in turn. False by default.
     */
    default boolean readsInAnyOrder() {
        return false;
    }

    /**
     * Reads exactly {@code length} bytes at {@code offset} into dst (a 4096-aligned native segment of at least
     * {@code alignUp(length)} bytes). Bytes past the source's end read as zeros.
     */
    void read(MemorySegment dst, long offset, int length) throws IOException;

    /**
     * A reader that keeps up to {@code depth} reads in flight at once, for sources whose bandwidth needs a queue
     * (disks, virtual disks); empty (the default) when the source can only read synchronously, and then callers
     * use {@link #read}. Called on the reader thread, which alone uses the returned reader and must close it.
     *
     * @param depth the most reads in flight, at least 1
     */
    default Optional<AsyncReader> asyncReader(final int depth) throws IOException {
        return Optional.empty();
    }

    @Override
    void close() throws IOException;

    /**
     * Reads with several in flight, each under the contract of {@link BlockSource#read}: exactly {@code length}
     * bytes, bytes past the source's end as zeros, the same exceptions for failures and for a source that shrank.
     * Reads complete in any order; each is reported once, by its tag, to the consumer given to {@link #complete}.
     * <p>
     * Threads: one thread, the one that asked for the reader. Allocation: none per read.
     */
    interface AsyncReader extends AutoCloseable {
        /** The most reads in flight at once. */
        int depth();

        /** Reads submitted whose completion has not been reported yet. */
        int inFlight();

        /**
         * Starts reading {@code length} bytes at {@code offset} into {@code dst} (4096-aligned, native, at least
         * {@code alignUp(length)} bytes; it must stay untouched until the read is reported).
         *
         * @param tag reported to {@link #complete}'s consumer when this read is done, e.g. a slot number
         * @return false, starting nothing, when {@link #depth()} reads are in flight
         */
        boolean submit(MemorySegment dst, long offset, int length, int tag) throws IOException;

        /**
         * Waits until at least {@code min} reads (capped at {@link #inFlight()}) are done, and passes the tag of
         * every read done so far to {@code done}. {@code min == 0} never blocks.
         *
         * @return the number of reads reported
         * @throws IOException what {@link BlockSource#read} would throw for a failed read
         */
        int complete(int min, IntConsumer done) throws IOException;

        /** Waits for reads still in flight (their buffers stay in use until then), then releases the reader. */
        @Override
        void close() throws IOException;
    }

    /**
     * Changed block tracking since the parent restore point, or null when the source has none (then an
     * incremental backup reads every block and compares hashes).
     */
    default ChangeTracking changeTracking() throws IOException {
        return null;
    }

    /**
     * Extra manifest keys the source wants recorded in the restore point (FORMAT.md 5.3), e.g. which QEMU dirty
     * bitmap records the writes after this point; empty by default.
     */
    default java.util.Map<String, String> manifestEntries() {
        return java.util.Map.of();
    }
}
