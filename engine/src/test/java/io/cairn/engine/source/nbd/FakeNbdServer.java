package io.cairn.engine.source.nbd;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A scripted NBD server on a unix socket, for hostile-server tests: it runs the script on one accepted connection
 * in a daemon thread. {@link #handshake} plays a well-behaved fixed newstyle handshake (structured replies,
 * base:allocation as context 1, an export of the given size) so scripts can misbehave in the transmission phase.
 */
final class FakeNbdServer implements AutoCloseable {
    /** What the server does on its connection. */
    interface Script {
        void run(DataInputStream in, DataOutputStream out) throws Exception;
    }

    private final ServerSocketChannel server;
    private final Thread thread;
    private final Path socket;

    FakeNbdServer(final Path socket, final Script script) throws IOException {
        this.socket = socket;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.thread = Thread.ofPlatform().daemon().name("fake-nbd").start(() -> {
            try (SocketChannel ch = server.accept()) {
                final DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
                final DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
                script.run(in, out);
                out.flush();
            } catch (Exception ignored) {
                // the client hung up or the test ended
            }
        });
    }

    NbdAddress address() {
        return NbdAddress.unix(socket, "disk");
    }

    /** A correct handshake for an export of {@code size} bytes. */
    static void handshake(final DataInputStream in, final DataOutputStream out, final long size) throws IOException {
        out.writeLong(NbdProtocol.NBDMAGIC);
        out.writeLong(NbdProtocol.IHAVEOPT);
        out.writeShort(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES);
        out.flush();
        in.readInt(); // client flags
        while (true) {
            in.readLong();
            final int option = in.readInt();
            final byte[] data = new byte[in.readInt()];
            in.readFully(data);
            if (option == NbdProtocol.OPT_SET_META_CONTEXT) {
                final byte[] name = NbdClient.BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
                optionReply(out, option, NbdProtocol.REP_META_CONTEXT, 4 + name.length);
                out.writeInt(1);
                out.write(name);
            } else if (option == NbdProtocol.OPT_GO) {
                optionReply(out, option, NbdProtocol.REP_INFO, 12);
                out.writeShort(NbdProtocol.INFO_EXPORT);
                out.writeLong(size);
                out.writeShort(NbdProtocol.TFLAG_HAS_FLAGS | NbdProtocol.TFLAG_READ_ONLY);
                optionReply(out, option, NbdProtocol.REP_ACK, 0);
                out.flush();
                return;
            }
            optionReply(out, option, NbdProtocol.REP_ACK, 0);
            out.flush();
        }
    }

    static void optionReply(final DataOutputStream out, final int option, final int type, final int length)
            throws IOException {
        out.writeLong(NbdProtocol.OPTION_REPLY_MAGIC);
        out.writeInt(option);
        out.writeInt(type);
        out.writeInt(length);
    }

    /** Reads one request; returns {type, cookie, offset, length}. */
    static long[] request(final DataInputStream in) throws IOException {
        in.readInt();
        in.readShort();
        final int type = in.readShort();
        final long cookie = in.readLong();
        final long offset = in.readLong();
        final int length = in.readInt();
        return new long[]{type, cookie, offset, length & 0xFFFFFFFFL};
    }

    static void chunk(final DataOutputStream out, final int flags, final int type, final long cookie,
                      final long length) throws IOException {
        out.writeInt(NbdProtocol.STRUCTURED_REPLY_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeInt((int) length);
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
