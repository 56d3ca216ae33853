package io.cairn.engine.source.nbd;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Where an NBD export lives: a unix socket or a TCP host and port, and the export name.
 * Parsed from the URLs of the NBD URI specification that libnbd and qemu use:
 * {@code nbd+unix:///EXPORT?socket=PATH} and {@code nbd://HOST[:PORT]/EXPORT} (port 10809 by default).
 * TLS ({@code nbds}) is not supported and is rejected with a message that says so.
 *
 * @param socket unix socket path, or null for TCP
 * @param host   TCP host, or null for a unix socket
 * @param port   TCP port, 0 for a unix socket
 * @param export export name (may be empty: the server's default export)
 */
public record NbdAddress(Path socket, String host, int port, String export) {
    /** The IANA port of NBD. */
    public static final int DEFAULT_PORT = 10809;
    private static final int MAX_EXPORT_NAME_BYTES = 4096;

    public NbdAddress {
        if ((socket == null) == (host == null)) {
            throw new IllegalArgumentException("an NBD address has either a socket or a host");
        }
        if (export == null) {
            throw new IllegalArgumentException("export name must not be null (use \"\" for the default export)");
        }
        if (export.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_EXPORT_NAME_BYTES) {
            throw new IllegalArgumentException("NBD export name is longer than " + MAX_EXPORT_NAME_BYTES + " bytes");
        }
    }

    /** A unix socket address. */
    public static NbdAddress unix(final Path socket, final String export) {
        return new NbdAddress(socket, null, 0, export);
    }

    /** A TCP address. */
    public static NbdAddress tcp(final String host, final int port, final String export) {
        return new NbdAddress(null, host, port, export);
    }

    /** True when the text looks like an NBD URL (so a CLI can tell it from a file name). */
    public static boolean isUrl(final String text) {
        return text.startsWith("nbd://") || text.startsWith("nbd+unix://") || text.startsWith("nbds://")
                || text.startsWith("nbds+unix://");
    }

    /**
     * Parses {@code nbd+unix:///EXPORT?socket=PATH} or {@code nbd://HOST[:PORT]/EXPORT}.
     *
     * @throws IllegalArgumentException with a one-line reason when the URL is not one of those
     */
    public static NbdAddress parse(final String url) {
        final URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an NBD URL: " + url + " (" + e.getReason() + ")");
        }
        final String scheme = uri.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException("not an NBD URL: " + url
                    + " (expected nbd+unix:///EXPORT?socket=PATH or nbd://HOST:PORT/EXPORT)");
        }
        final String path = uri.getPath() == null ? "" : uri.getPath();
        final String export = path.startsWith("/") ? path.substring(1) : path;
        switch (scheme) {
            case "nbd+unix" -> {
                if (uri.getHost() != null || uri.getRawAuthority() != null) {
                    throw new IllegalArgumentException("nbd+unix URL must not name a host: " + url);
                }
                final String socket = queryParameter(uri.getRawQuery(), "socket");
                if (socket == null || socket.isEmpty()) {
                    throw new IllegalArgumentException("nbd+unix URL needs ?socket=PATH: " + url);
                }
                return unix(Path.of(socket), export);
            }
            case "nbd" -> {
                final String host = uri.getHost();
                if (host == null || host.isEmpty()) {
                    throw new IllegalArgumentException("nbd URL needs a host (nbd://HOST:PORT/EXPORT): " + url);
                }
                final int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
                final String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
                        : host;
                return tcp(h, port, export);
            }
            case "nbds", "nbds+unix" -> throw new IllegalArgumentException(
                    "NBD over TLS (" + scheme + "://) is not supported: " + url);
            default -> throw new IllegalArgumentException("not an NBD URL (scheme " + scheme + "): " + url);
        }
    }

    private static String queryParameter(final String rawQuery, final String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            final int eq = pair.indexOf('=');
            final String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
                        java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The URL form, for messages and the manifest. */
    @Override
    public String toString() {
        if (socket != null) {
            return "nbd+unix:///" + export + "?socket=" + socket;
        }
        final String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "nbd://" + h + ":" + port + "/" + export;
    }
}
