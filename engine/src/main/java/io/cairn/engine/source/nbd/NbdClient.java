package io.cairn.engine.source.nbd;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.cairn.engine.source.nbd.NbdProtocol.*;

/**
 * A pure-Java NBD client for the transmission phase: NBD_CMD_READ straight into a caller's off-heap segment,
 * NBD_CMD_BLOCK_STATUS for a negotiated meta context delivered extent by extent to an {@link ExtentHandler}, and
 * NBD_CMD_DISC on close. Structured replies are required (every server that has block status has them).
 * <p>
 * Hostile servers: every length in a reply is checked against the request before it is used (a data chunk lies
 * inside the requested range, a block status chunk holds at most {@link #MAX_EXTENTS_PER_CHUNK} extents, an error
 * message is at most 4 KiB), nothing is allocated from a server-sent length, and every read and write is bounded
 * in time ({@link NbdWire}). After a protocol violation, a hang-up or a time-out the client stays failed: every
 * later call throws with the first cause. An error the server reports cleanly (an error chunk or a simple error
 * reply) leaves the connection usable.
 * <p>
 * Hot path: once a destination segment has been seen, {@link #read} allocates nothing: the request and chunk
 * headers go through one direct buffer, and the payload lands in a cached {@code ByteBuffer} view of the caller's
 * segment ({@link SegmentViews}).
 * <p>
 * Threads: not thread-safe; one request at a time, from one thread at a time (callers serialise). {@link #close()}
 * may be called from another thread to abort.
 */
public final class NbdClient implements AutoCloseable {
    /** The meta context of allocation status; extent flags {@link #STATE_HOLE} and {@link #STATE_ZERO}. */
    public static final String BASE_ALLOCATION = "base:allocation";
    /** base:allocation: the extent is not allocated. */
    public static final int STATE_HOLE = NbdProtocol.STATE_HOLE;
    /** base:allocation: the extent reads as zeros. */
    public static final int STATE_ZERO = NbdProtocol.STATE_ZERO;
    /** qemu:dirty-bitmap:NAME: the extent is dirty. */
    public static final int STATE_DIRTY = 1;
    /** Upper bound on the extents one BLOCK_STATUS chunk may carry (QEMU sends at most a few thousand). */
    public static final int MAX_EXTENTS_PER_CHUNK = 1 << 20;
    /** Default bound on any one socket operation. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final int IO_CAPACITY = 64 * 1024;

    /** Receives the extents of one block status reply, in order. Must not call back into the client. */
    @FunctionalInterface
    public interface ExtentHandler {
        /** One extent: [offset, offset + length) has the context's flags. */
        void extent(long offset, long length, int flags);
    }

    private final NbdAddress address;
    private final NbdWire wire;
    private final NbdHandshake.Result info;
    private final ByteBuffer io = ByteBuffer.allocateDirect(IO_CAPACITY);
    private final MemorySegment zeros = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(IO_CAPACITY));
    private final SegmentViews views = new SegmentViews();
    private final NbdReplyReader replies;
    private long cookie;
    private IOException broken;

    private NbdClient(final NbdAddress address, final NbdWire wire, final NbdHandshake.Result info) {
        this.address = address;
        this.wire = wire;
        this.info = info;
        this.replies = new NbdReplyReader(wire, io, zeros, info.exportSize());
    }

    /** Connects with the default time-out and negotiates the given meta contexts (may be empty). */
    public static NbdClient connect(final NbdAddress address, final List<String> metaContexts) throws IOException {
        return connect(address, metaContexts, DEFAULT_TIMEOUT);
    }

    /**
     * Connects, runs the handshake, negotiates structured replies and the meta contexts, and opens the export.
     *
     * @param timeout bound on every single socket operation (connect, each read or write)
     * @throws IOException naming the server and what it refused (for example a missing dirty bitmap)
     */
    public static NbdClient connect(final NbdAddress address, final List<String> metaContexts,
                                    final Duration timeout) throws IOException {
        final NbdWire wire = NbdWire.connect(address, timeout.toNanos());
        try {
            return new NbdClient(address, wire, NbdHandshake.run(wire, address.export(), metaContexts));
        } catch (IOException | RuntimeException e) {
            wire.close();
            throw e;
        }
    }

    /** The meta context name of a QEMU dirty bitmap. */
    public static String dirtyBitmapContext(final String bitmap) {
        return "qemu:dirty-bitmap:" + bitmap;
    }

    public NbdAddress address() {
        return address;
    }

    /** Export size in bytes. */
    public long exportSize() {
        return info.exportSize();
    }

    /** NBD transmission flags of the export. */
    public int transmissionFlags() {
        return info.transmissionFlags();
    }

    public boolean readOnly() {
        return (info.transmissionFlags() & TFLAG_READ_ONLY) != 0;
    }

    /** Largest read or block status length sent in one request. */
    public int maxPayloadBytes() {
        return info.maxPayloadBytes();
    }

    /** The id the server gave a meta context, or -1 when it was not negotiated. */
    public int contextId(final String name) {
        final Integer id = info.contexts().get(name);
        return id == null ? -1 : id;
    }

    /** Negotiated meta contexts, name to id. */
    public Map<String, Integer> contexts() {
        return info.contexts();
    }

    /**
     * Reads {@code length} bytes at {@code offset} of the export into {@code dst} at 0. Holes the server reports
     * (OFFSET_HOLE chunks) are zero-filled. The range must lie inside the export.
     */
    public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
        checkUsable();
        if (offset < 0 || length < 0 || offset > info.exportSize() - length || length > dst.byteSize()) {
            throw new IllegalArgumentException("read of " + length + " bytes at " + offset + " into a "
                    + dst.byteSize() + "-byte segment, export size " + info.exportSize());
        }
        final ByteBuffer view = views.view(dst);
        final int max = info.maxPayloadBytes();
        int done = 0;
        while (done < length) {
            final int n = Math.min(max, length - done);
            readOnce(dst, view, done, offset + done, n);
            done += n;
        }
    }

    private void readOnce(final MemorySegment dst, final ByteBuffer view, final int dstOffset, final long offset,
                          final int length) throws IOException {
        final long c = sendRequest(CMD_READ, offset, length);
        try {
            replies.receiveRead(c, dst, view, dstOffset, offset, length);
        } catch (NbdServerException e) {
            throw e; // reported cleanly; the stream is in sync
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    /**
     * Asks for the extents of one meta context over [offset, offset + length) and hands them to the handler in
     * order. The server may answer for less than the range (never nothing) and its last extent may run past it.
     *
     * @param contextId a negotiated context ({@link #contextId(String)})
     * @return the end of the last extent delivered (greater than offset, at most the export size)
     */
    public long blockStatus(final int contextId, final long offset, final long length, final ExtentHandler handler)
            throws IOException {
        checkUsable();
        if (!info.contexts().containsValue(contextId)) {
            throw new IllegalArgumentException("meta context id " + contextId + " was not negotiated: "
                    + info.contexts());
        }
        if (offset < 0 || length <= 0 || offset > info.exportSize() - length) {
            throw new IllegalArgumentException("block status of " + length + " bytes at " + offset
                    + ", export size " + info.exportSize());
        }
        // the request length is 32 bits; ask for at most 1 GiB - 64 KiB (aligned, and what QEMU handles well)
        final int n = (int) Math.min(length, (1L << 30) - 65536);
        final long c = sendRequest(CMD_BLOCK_STATUS, offset, n);
        try {
            return replies.receiveBlockStatus(c, contextId, offset, n, handler);
        } catch (NbdServerException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
    }

    private long sendRequest(final short command, final long offset, final int length) throws IOException {
        final long c = ++cookie;
        final ByteBuffer b = io.clear();
        b.putInt(REQUEST_MAGIC).putShort((short) 0).putShort(command).putLong(c).putLong(offset).putInt(length);
        b.flip();
        try {
            wire.writeFully(b, NbdProtocol.commandName(command));
        } catch (IOException e) {
            throw fail(e);
        }
        return c;
    }

    private void checkUsable() throws IOException {
        if (broken != null) {
            throw new IOException("NBD connection to " + address + " is unusable after an earlier error: "
                    + broken.getMessage(), broken);
        }
    }

    private IOException fail(final Exception e) {
        final IOException io = e instanceof IOException x ? x
                : new IOException("NBD server " + address + " sent an invalid reply: " + e.getMessage(), e);
        if (broken == null) {
            broken = io;
        }
        try {
            wire.close();
        } catch (IOException suppressed) {
            io.addSuppressed(suppressed);
        }
        return io;
    }

    /** Sends NBD_CMD_DISC when the connection is still healthy, then closes the socket. Idempotent. */
    @Override
    public void close() throws IOException {
        try {
            if (broken == null && wire.isOpen()) {
                final ByteBuffer b = ByteBuffer.allocate(REQUEST_LENGTH);
                b.putInt(REQUEST_MAGIC).putShort((short) 0).putShort(CMD_DISC).putLong(++cookie).putLong(0)
                        .putInt(0).flip();
                wire.writeFully(b, "NBD_CMD_DISC");
            }
        } catch (IOException ignored) {
            // the server may already be gone; closing is what matters
        } finally {
            if (broken == null) {
                broken = new IOException("NBD connection to " + address + " is closed");
            }
            wire.close();
        }
    }

    @Override
    public String toString() {
        return "NbdClient[" + address + ", size=" + info.exportSize() + ", contexts=" + info.contexts().keySet()
                + "]";
    }
}
