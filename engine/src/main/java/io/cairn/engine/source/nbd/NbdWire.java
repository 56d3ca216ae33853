package io.cairn.engine.source.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;

/**
 * The byte stream under an NBD connection: a blocking {@link SocketChannel} (unix or TCP) whose every read and
 * write is bounded in time by a {@link ChannelWatchdog}, with end-of-stream and time-outs turned into one-line
 * {@link IOException}s that say what was being read.
 * <p>
 * Threads: one thread at a time (the owner serialises); {@link #close()} from any thread.
 */
final class NbdWire implements AutoCloseable {
    private final SocketChannel channel;
    private final ChannelWatchdog watchdog;
    private final String peer;

    private NbdWire(final SocketChannel channel, final long timeoutNs, final String peer) {
        this.channel = channel;
        this.peer = peer;
        this.watchdog = new ChannelWatchdog(channel, timeoutNs, "nbd-watchdog " + peer);
    }

    /** Connects to the address; the connect itself is bounded by the timeout too. */
    static NbdWire connect(final NbdAddress address, final long timeoutNs) throws IOException {
        final SocketChannel ch;
        if (address.socket() != null) {
            if (!Files.exists(address.socket())) {
                throw new IOException("NBD socket " + address.socket() + " does not exist");
            }
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            ch = SocketChannel.open();
        }
        final NbdWire wire = new NbdWire(ch, timeoutNs, address.toString());
        wire.watchdog.begin();
        try {
            if (address.socket() != null) {
                ch.connect(UnixDomainSocketAddress.of(address.socket()));
            } else {
                ch.connect(new InetSocketAddress(address.host(), address.port()));
                ch.socket().setTcpNoDelay(true);
            }
        } catch (IOException e) {
            wire.close();
            if (wire.watchdog.timedOut()) {
                throw new IOException("NBD server " + address + " did not accept the connection within "
                        + wire.watchdog.timeoutMillis() + " ms");
            }
            throw new IOException("cannot connect to NBD server " + address + ": " + e.getMessage(), e);
        } finally {
            wire.watchdog.end();
        }
        return wire;
    }

    String peer() {
        return peer;
    }

    /**
     * Reads until {@code buffer} has no room left (position to limit).
     *
     * @param what what the bytes are, for the error message ("NBD_CMD_READ reply (offset 0, length 65536)")
     */
    void readFully(final ByteBuffer buffer, final String what) throws IOException {
        watchdog.begin();
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new EOFException("NBD server " + peer + " hung up during " + what + " ("
                            + buffer.remaining() + " bytes missing)");
                }
            }
        } catch (ClosedChannelException e) {
            throw closedError(what, e);
        } finally {
            watchdog.end();
        }
    }

    /** Same as {@link #readFully(ByteBuffer, String)} with a lazily built message: no string on the hot path. */
    void readFully(final ByteBuffer buffer, final int command, final long offset, final long length)
            throws IOException {
        watchdog.begin();
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new EOFException("NBD server " + peer + " hung up during the "
                            + NbdProtocol.commandName(command) + " reply (offset " + offset + ", length " + length
                            + ", " + buffer.remaining() + " bytes of the current piece missing)");
                }
            }
        } catch (ClosedChannelException e) {
            throw closedError(NbdProtocol.commandName(command) + " reply (offset " + offset + ", length " + length
                    + ")", e);
        } finally {
            watchdog.end();
        }
    }

    /** Writes all of the buffer (position to limit). */
    void writeFully(final ByteBuffer buffer, final String what) throws IOException {
        watchdog.begin();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (ClosedChannelException e) {
            throw closedError(what, e);
        } catch (IOException e) {
            throw new IOException("cannot send " + what + " to NBD server " + peer + ": " + e.getMessage(), e);
        } finally {
            watchdog.end();
        }
    }

    private IOException closedError(final String what, final IOException cause) {
        if (watchdog.timedOut()) {
            return new IOException("NBD server " + peer + " did not answer within " + watchdog.timeoutMillis()
                    + " ms during " + what, cause);
        }
        return new IOException("NBD connection to " + peer + " was closed during " + what, cause);
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        watchdog.close();
        channel.close();
    }
}
