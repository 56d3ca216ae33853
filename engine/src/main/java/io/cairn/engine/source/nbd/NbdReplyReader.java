package io.cairn.engine.source.nbd;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.cairn.engine.source.nbd.NbdProtocol.*;

/**
 * Receives the reply to one NBD request: simple replies and structured reply chunks (OFFSET_DATA, OFFSET_HOLE,
 * BLOCK_STATUS, NONE and errors), each length checked against the request before it is used.
 * <p>
 * A clean error from the server (error chunk, simple error reply) is read to the end of the reply and thrown as
 * {@link NbdServerException}; anything else thrown means the stream is out of sync and the caller must drop the
 * connection. Hot path: reads into the caller's segment through its cached view; no allocation.
 * <p>
 * Threads: confined to the client's request thread.
 */
final class NbdReplyReader {
    /** At most this many error chunks in one reply (a server may not stream them forever). */
    private static final int MAX_ERROR_CHUNKS = 16;
    /** At most this many BLOCK_STATUS chunks in one reply (one per negotiated context). */
    private static final int MAX_STATUS_CHUNKS = 64;

    private final NbdWire wire;
    private final ByteBuffer io;
    private final MemorySegment zeros;
    private final long exportSize;
    private NbdServerException pendingError;
    private int errorChunks;

    NbdReplyReader(final NbdWire wire, final ByteBuffer io, final MemorySegment zeros, final long exportSize) {
        this.wire = wire;
        this.io = io;
        this.zeros = zeros;
        this.exportSize = exportSize;
    }

    /** Receives a READ reply into dst at dstOffset; the view is dst's ByteBuffer view. */
    void receiveRead(final long cookie, final MemorySegment dst, final ByteBuffer view, final int dstOffset,
                     final long offset, final int length) throws IOException {
        pendingError = null;
        errorChunks = 0;
        long covered = 0;
        boolean done = false;
        while (!done) {
            final int magic = readHeader(CMD_READ, cookie, offset, length);
            if (magic == SIMPLE_REPLY_MAGIC) {
                // a simple reply without error carries the data right after the header
                readPayload(view, dstOffset, length, offset);
                return;
            }
            final int flags = io.getShort(4) & 0xFFFF;
            final int type = io.getShort(6) & 0xFFFF;
            final long chunkLength = io.getInt(16) & 0xFFFFFFFFL;
            done = (flags & REPLY_FLAG_DONE) != 0;
            if (type == REPLY_TYPE_OFFSET_DATA) {
                if (chunkLength <= 8 || chunkLength - 8 > length) {
                    throw protocol(CMD_READ, offset, length, "an OFFSET_DATA chunk of " + chunkLength + " bytes");
                }
                final long at = readLong(CMD_READ, offset, length);
                final long n = chunkLength - 8;
                if (at < offset || at - offset > length - n) {
                    throw protocol(CMD_READ, offset, length, "data for [" + at + ", +" + n + ") outside the request");
                }
                readPayload(view, dstOffset + (int) (at - offset), (int) n, offset);
                covered += n;
            } else if (type == REPLY_TYPE_OFFSET_HOLE) {
                if (chunkLength != 12) {
                    throw protocol(CMD_READ, offset, length, "an OFFSET_HOLE chunk of " + chunkLength + " bytes");
                }
                final long at = readLong(CMD_READ, offset, length);
                io.clear().limit(4);
                wire.readFully(io, CMD_READ, offset, length);
                final long n = io.getInt(0) & 0xFFFFFFFFL;
                if (n == 0 || at < offset || at - offset > length - n) {
                    throw protocol(CMD_READ, offset, length, "a hole [" + at + ", +" + n + ") outside the request");
                }
                zeroFill(dst, dstOffset + (at - offset), n);
                covered += n;
            } else {
                handleOther(type, chunkLength, done, CMD_READ, offset, length);
            }
            if (covered > length) {
                throw protocol(CMD_READ, offset, length, "more data than requested (overlapping chunks)");
            }
        }
        if (pendingError != null) {
            throw pendingError;
        }
        if (covered != length) {
            throw protocol(CMD_READ, offset, length, "a reply that covers " + covered + " of " + length + " bytes");
        }
    }

    /** Receives a BLOCK_STATUS reply and hands the wanted context's extents to the handler; returns their end. */
    long receiveBlockStatus(final long cookie, final int contextId, final long offset, final int length,
                            final NbdClient.ExtentHandler handler) throws IOException {
        pendingError = null;
        errorChunks = 0;
        long end = -1;
        int statusChunks = 0;
        boolean done = false;
        while (!done) {
            final int magic = readHeader(CMD_BLOCK_STATUS, cookie, offset, length);
            if (magic == SIMPLE_REPLY_MAGIC) {
                throw protocol(CMD_BLOCK_STATUS, offset, length, "a simple reply without error");
            }
            final int flags = io.getShort(4) & 0xFFFF;
            final int type = io.getShort(6) & 0xFFFF;
            final long chunkLength = io.getInt(16) & 0xFFFFFFFFL;
            done = (flags & REPLY_FLAG_DONE) != 0;
            if (type == REPLY_TYPE_BLOCK_STATUS) {
                final long extents = (chunkLength - 4) / 8;
                if (chunkLength < 12 || (chunkLength - 4) % 8 != 0 || extents > NbdClient.MAX_EXTENTS_PER_CHUNK
                        || ++statusChunks > MAX_STATUS_CHUNKS) {
                    throw protocol(CMD_BLOCK_STATUS, offset, length, "a BLOCK_STATUS chunk of " + chunkLength
                            + " bytes");
                }
                io.clear().limit(4);
                wire.readFully(io, CMD_BLOCK_STATUS, offset, length);
                final int context = io.getInt(0);
                if (context == contextId) {
                    if (end >= 0) {
                        throw protocol(CMD_BLOCK_STATUS, offset, length, "two BLOCK_STATUS chunks for context "
                                + context);
                    }
                    end = deliverExtents(offset, length, (int) extents, handler);
                } else {
                    skipExtents(offset, length, (int) extents);
                }
            } else {
                handleOther(type, chunkLength, done, CMD_BLOCK_STATUS, offset, length);
            }
        }
        if (pendingError != null) {
            throw pendingError;
        }
        if (end < 0) {
            throw protocol(CMD_BLOCK_STATUS, offset, length, "no extents for meta context " + contextId);
        }
        return end;
    }

    private long deliverExtents(final long offset, final int length, final int count,
                                final NbdClient.ExtentHandler handler) throws IOException {
        final ByteBuffer b = io;
        final int perRead = b.capacity() / 8;
        long cursor = offset;
        int remaining = count;
        while (remaining > 0) {
            final int k = Math.min(remaining, perRead);
            b.clear().limit(k * 8);
            wire.readFully(b, CMD_BLOCK_STATUS, offset, length);
            for (int i = 0; i < k; i++) {
                final long n = b.getInt(i * 8) & 0xFFFFFFFFL;
                final int flags = b.getInt(i * 8 + 4);
                if (n == 0 || n > exportSize - cursor) {
                    throw protocol(CMD_BLOCK_STATUS, offset, length, "an extent of " + n + " bytes at " + cursor
                            + " (export size " + exportSize + ")");
                }
                handler.extent(cursor, n, flags);
                cursor += n;
            }
            remaining -= k;
        }
        return cursor;
    }

    private void skipExtents(final long offset, final int length, final int count) throws IOException {
        long bytes = count * 8L;
        while (bytes > 0) {
            final int k = (int) Math.min(bytes, io.capacity());
            io.clear().limit(k);
            wire.readFully(io, CMD_BLOCK_STATUS, offset, length);
            bytes -= k;
        }
    }

    /** NONE and error chunks; anything else is a protocol violation. */
    private void handleOther(final int type, final long chunkLength, final boolean done, final int command,
                             final long offset, final int length) throws IOException {
        if (type == REPLY_TYPE_NONE) {
            if (chunkLength != 0 || !done) {
                throw protocol(command, offset, length, "a NONE chunk of " + chunkLength + " bytes"
                        + (done ? "" : " without the DONE flag"));
            }
            return;
        }
        if ((type & REPLY_TYPE_ERROR_BIT) == 0) {
            throw protocol(command, offset, length, "unknown chunk type " + type);
        }
        if (chunkLength < 6 || chunkLength > 6 + MAX_ERROR_MESSAGE_LENGTH + 8 || ++errorChunks > MAX_ERROR_CHUNKS) {
            throw protocol(command, offset, length, "an error chunk of " + chunkLength + " bytes");
        }
        io.clear().limit((int) chunkLength);
        wire.readFully(io, command, offset, length);
        final int error = io.getInt(0);
        final int messageLength = io.getShort(4) & 0xFFFF;
        if (messageLength > chunkLength - 6) {
            throw protocol(command, offset, length, "an error message of " + messageLength + " bytes in a "
                    + chunkLength + "-byte chunk");
        }
        final byte[] m = new byte[messageLength];
        io.get(6, m);
        String where = "";
        if (type == REPLY_TYPE_ERROR_OFFSET && chunkLength - 6 - messageLength >= 8) {
            where = " (at offset " + io.getLong(6 + messageLength) + ")";
        }
        if (pendingError == null) {
            pendingError = serverError(command, offset, length, error,
                    new String(m, StandardCharsets.UTF_8).strip() + where);
        }
    }

    /** Reads a reply header; returns its magic. Checks the cookie; throws for a simple error reply. */
    private int readHeader(final int command, final long cookie, final long offset, final int length)
            throws IOException {
        io.clear().limit(4);
        wire.readFully(io, command, offset, length);
        final int magic = io.getInt(0);
        if (magic == SIMPLE_REPLY_MAGIC) {
            io.limit(SIMPLE_REPLY_LENGTH);
            wire.readFully(io, command, offset, length);
            checkCookie(io.getLong(8), cookie, command, offset, length);
            final int error = io.getInt(4);
            if (error != 0) {
                throw serverError(command, offset, length, error, "");
            }
            return magic;
        }
        if (magic != STRUCTURED_REPLY_MAGIC) {
            throw protocol(command, offset, length, String.format("a reply with bad magic 0x%08x", magic));
        }
        io.limit(CHUNK_HEADER_LENGTH);
        wire.readFully(io, command, offset, length);
        checkCookie(io.getLong(8), cookie, command, offset, length);
        return magic;
    }

    private long readLong(final int command, final long offset, final int length) throws IOException {
        io.clear().limit(8);
        wire.readFully(io, command, offset, length);
        return io.getLong(0);
    }

    private void readPayload(final ByteBuffer view, final int position, final int n, final long offset)
            throws IOException {
        view.clear().limit(position + n).position(position);
        wire.readFully(view, CMD_READ, offset, n);
    }

    private void zeroFill(final MemorySegment dst, final long at, final long n) {
        long done = 0;
        while (done < n) {
            final long k = Math.min(n - done, zeros.byteSize());
            MemorySegment.copy(zeros, 0, dst, at + done, k);
            done += k;
        }
    }

    private void checkCookie(final long actual, final long expected, final int command, final long offset,
                             final int length) throws IOException {
        if (actual != expected) {
            throw protocol(command, offset, length, "a reply for cookie " + actual + " (expected " + expected + ")");
        }
    }

    private NbdServerException serverError(final int command, final long offset, final int length, final int error,
                                           final String message) {
        return new NbdServerException("NBD server " + wire.peer() + " failed " + commandName(command) + " at offset "
                + offset + " length " + length + ": " + errnoName(error) + (message.isEmpty() ? "" : " (" + message
                + ")"), error);
    }

    private IOException protocol(final int command, final long offset, final int length, final String what) {
        return new IOException("NBD server " + wire.peer() + " broke the protocol answering " + commandName(command)
                + " at offset " + offset + " length " + length + ": it sent " + what);
    }
}
