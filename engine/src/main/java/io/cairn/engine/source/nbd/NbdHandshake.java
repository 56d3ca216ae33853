package io.cairn.engine.source.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.cairn.engine.source.nbd.NbdProtocol.*;

/**
 * The fixed newstyle handshake and option haggling: NBD_OPT_STRUCTURED_REPLY, NBD_OPT_SET_META_CONTEXT for the
 * wanted contexts, then NBD_OPT_GO for the export (asking for NBD_INFO_BLOCK_SIZE). Cold path: heap buffers and
 * collections are fine here; every length the server sends is bounded before anything is allocated for it.
 */
final class NbdHandshake {
    /**
     * What the handshake established.
     *
     * @param exportSize        export size in bytes
     * @param transmissionFlags NBD transmission flags
     * @param maxPayloadBytes   largest request the server accepts (from NBD_INFO_BLOCK_SIZE, else 32 MiB)
     * @param contexts          meta context name to id, for the contexts the server agreed to
     */
    record Result(long exportSize, int transmissionFlags, int maxPayloadBytes, Map<String, Integer> contexts) {
    }

    static final int DEFAULT_MAX_PAYLOAD = 32 * 1024 * 1024;
    private static final int MAX_CONTEXTS = 64;

    private final NbdWire wire;
    private final String export;
    private final byte[] exportBytes;

    private NbdHandshake(final NbdWire wire, final String export) {
        this.wire = wire;
        this.export = export;
        this.exportBytes = export.getBytes(StandardCharsets.UTF_8);
    }

    static Result run(final NbdWire wire, final String export, final List<String> metaContexts) throws IOException {
        return new NbdHandshake(wire, export).run(metaContexts);
    }

    private Result run(final List<String> metaContexts) throws IOException {
        final ByteBuffer greeting = ByteBuffer.allocate(18);
        wire.readFully(greeting.clear(), "the NBD greeting");
        greeting.flip();
        final long magic = greeting.getLong();
        final long opt = greeting.getLong();
        if (magic != NBDMAGIC) {
            throw new IOException(String.format("%s is not an NBD server: greeting magic 0x%016x", wire.peer(),
                    magic));
        }
        if (opt != IHAVEOPT) {
            throw new IOException(wire.peer() + " speaks the oldstyle NBD handshake, which is not supported");
        }
        final int handshakeFlags = greeting.getShort() & 0xFFFF;
        if ((handshakeFlags & FLAG_FIXED_NEWSTYLE) == 0) {
            throw new IOException(wire.peer() + " does not offer the fixed newstyle NBD handshake");
        }
        final int clientFlags = FLAG_FIXED_NEWSTYLE | (handshakeFlags & FLAG_NO_ZEROES);
        wire.writeFully(ByteBuffer.allocate(4).putInt(clientFlags).flip(), "client flags");

        sendOption(OPT_STRUCTURED_REPLY, new byte[0]);
        final Reply sr = readReply(OPT_STRUCTURED_REPLY);
        if (sr.type != REP_ACK) {
            throw optionError(OPT_STRUCTURED_REPLY, sr, "structured replies are needed for block status");
        }
        final Map<String, Integer> contexts = new LinkedHashMap<>();
        if (!metaContexts.isEmpty()) {
            setMetaContexts(metaContexts, contexts);
        }
        return go(contexts);
    }

    private void setMetaContexts(final List<String> names, final Map<String, Integer> contexts) throws IOException {
        int length = 4 + exportBytes.length + 4;
        for (String n : names) {
            length += 4 + n.getBytes(StandardCharsets.UTF_8).length;
        }
        final ByteBuffer data = ByteBuffer.allocate(length);
        data.putInt(exportBytes.length).put(exportBytes).putInt(names.size());
        for (String n : names) {
            final byte[] b = n.getBytes(StandardCharsets.UTF_8);
            data.putInt(b.length).put(b);
        }
        sendOption(OPT_SET_META_CONTEXT, data.array());
        while (true) {
            final Reply r = readReply(OPT_SET_META_CONTEXT);
            if (r.type == REP_ACK) {
                break;
            }
            if (r.type != REP_META_CONTEXT) {
                throw optionError(OPT_SET_META_CONTEXT, r, "for contexts " + names);
            }
            if (r.data.length < 4) {
                throw new IOException("NBD server " + wire.peer() + " sent a " + r.data.length
                        + "-byte NBD_REP_META_CONTEXT reply (at least 4 expected)");
            }
            if (contexts.size() >= MAX_CONTEXTS) {
                throw new IOException("NBD server " + wire.peer() + " sent more than " + MAX_CONTEXTS
                        + " meta contexts");
            }
            final ByteBuffer b = ByteBuffer.wrap(r.data);
            final int id = b.getInt();
            contexts.put(new String(r.data, 4, r.data.length - 4, StandardCharsets.UTF_8), id);
        }
        for (String n : names) {
            if (!contexts.containsKey(n)) {
                throw new IOException("NBD export '" + export + "' on " + wire.peer() + " has no meta context " + n
                        + (n.startsWith("qemu:dirty-bitmap:") ? " (no such bitmap, or it is not exported)" : ""));
            }
        }
    }

    private Result go(final Map<String, Integer> contexts) throws IOException {
        final ByteBuffer data = ByteBuffer.allocate(4 + exportBytes.length + 2 + 2);
        data.putInt(exportBytes.length).put(exportBytes).putShort((short) 1).putShort(INFO_BLOCK_SIZE);
        sendOption(OPT_GO, data.array());
        long size = -1;
        int flags = 0;
        int maxPayload = DEFAULT_MAX_PAYLOAD;
        while (true) {
            final Reply r = readReply(OPT_GO);
            if (r.type == REP_ACK) {
                break;
            }
            if (r.type != REP_INFO) {
                throw optionError(OPT_GO, r, "for export '" + export + "'");
            }
            if (r.data.length < 2) {
                throw new IOException("NBD server " + wire.peer() + " sent a " + r.data.length
                        + "-byte NBD_REP_INFO");
            }
            final ByteBuffer b = ByteBuffer.wrap(r.data);
            final int info = b.getShort() & 0xFFFF;
            if (info == INFO_EXPORT) {
                if (r.data.length != 12) {
                    throw new IOException("NBD server " + wire.peer() + " sent a " + r.data.length
                            + "-byte NBD_INFO_EXPORT (12 expected)");
                }
                size = b.getLong();
                flags = b.getShort() & 0xFFFF;
                if (size < 0) {
                    throw new IOException("NBD server " + wire.peer() + " reports a negative export size " + size);
                }
            } else if (info == INFO_BLOCK_SIZE && r.data.length == 14) {
                b.getInt(); // minimum
                b.getInt(); // preferred
                final long max = b.getInt() & 0xFFFFFFFFL;
                if (max >= 512) {
                    maxPayload = (int) Math.min(max, DEFAULT_MAX_PAYLOAD);
                }
            }
        }
        if (size < 0) {
            throw new IOException("NBD server " + wire.peer() + " acknowledged NBD_OPT_GO without NBD_INFO_EXPORT");
        }
        return new Result(size, flags, maxPayload, Map.copyOf(contexts));
    }

    private void sendOption(final int option, final byte[] data) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(16 + data.length);
        b.putLong(IHAVEOPT).putInt(option).putInt(data.length).put(data).flip();
        wire.writeFully(b, optionName(option));
    }

    private record Reply(int type, byte[] data) {
    }

    private Reply readReply(final int option) throws IOException {
        final ByteBuffer h = ByteBuffer.allocate(20);
        wire.readFully(h, "the reply to " + optionName(option));
        h.flip();
        final long magic = h.getLong();
        final int replyOption = h.getInt();
        final int type = h.getInt();
        final long length = h.getInt() & 0xFFFFFFFFL;
        if (magic != OPTION_REPLY_MAGIC) {
            throw new IOException(String.format("NBD server %s sent a bad option reply magic 0x%016x to %s",
                    wire.peer(), magic, optionName(option)));
        }
        if (replyOption != option) {
            throw new IOException("NBD server " + wire.peer() + " answered " + optionName(replyOption)
                    + " to " + optionName(option));
        }
        if (length > MAX_OPTION_REPLY_LENGTH) {
            throw new IOException("NBD server " + wire.peer() + " sent a " + length + "-byte reply to "
                    + optionName(option) + " (at most " + MAX_OPTION_REPLY_LENGTH + " accepted)");
        }
        final byte[] data = new byte[(int) length];
        wire.readFully(ByteBuffer.wrap(data), "the reply to " + optionName(option));
        return new Reply(type, data);
    }

    private IOException optionError(final int option, final Reply r, final String context) {
        final String message = new String(r.data, StandardCharsets.UTF_8).strip();
        final String kind = (r.type & REP_FLAG_ERROR) != 0 ? optionErrorName(r.type)
                : String.format("unexpected reply type 0x%08x", r.type);
        return new IOException("NBD server " + wire.peer() + " refused " + optionName(option) + " " + context
                + ": " + kind + (message.isEmpty() ? "" : " (" + message + ")"));
    }
}
