package io.cairn.engine.source.qemu;

import io.cairn.engine.source.nbd.NbdAddress;

import java.nio.file.Path;

/**
 * The address of an NBD server that a QEMU already runs ({@code --nbd ADDRESS}): a unix socket path, or
 * {@code HOST:PORT} ({@code [V6ADDR]:PORT} for IPv6). Cairn adds its own export there.
 *
 * @param socket unix socket, or null for TCP
 * @param host   TCP host, or null
 * @param port   TCP port
 */
public record NbdServerAddress(Path socket, String host, int port) {
    /**
     * Parses ADDRESS: {@code HOST:PORT} when it has no slash and ends in a colon and a port number, else a socket
     * path.
     *
     * @throws IllegalArgumentException with a one-line reason for an empty address or a bad port
     */
    public static NbdServerAddress parse(final String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--nbd needs an address: a unix socket path or HOST:PORT");
        }
        final int colon = text.lastIndexOf(':');
        if (text.indexOf('/') >= 0 || colon <= 0) {
            return new NbdServerAddress(Path.of(text), null, 0);
        }
        final String portText = text.substring(colon + 1);
        final int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--nbd " + text + ": '" + portText + "' is not a port number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--nbd " + text + ": port " + port + " is out of range");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new NbdServerAddress(null, host, port);
    }

    /** The address of export {@code name} on this server. */
    public NbdAddress export(final String name) {
        return socket != null ? NbdAddress.unix(socket, name) : NbdAddress.tcp(host, port, name);
    }
}
