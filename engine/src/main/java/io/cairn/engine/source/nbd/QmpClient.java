package io.cairn.engine.source.nbd;

import io.cairn.engine.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A QMP client (JSON lines over QEMU's or qemu-storage-daemon's monitor socket) with the commands a backup needs:
 * persistent dirty bitmaps (add, remove, and rotation in one {@code transaction}), the NBD server and NBD block
 * exports (adding one with a frozen bitmap), and queries. Errors come back as {@link QmpException} with QMP's
 * {@code desc}. Events that arrive between replies are kept (the last {@value #MAX_EVENTS}) for
 * {@link #awaitEvent}.
 * <p>
 * QEMU's rules (platform-facts): a bitmap used by an export cannot be disabled, and an enabled bitmap cannot go on
 * a read-only export; so rotation is: delete the export, {@link #rotateBitmap}, then export the frozen bitmap.
 * <p>
 * Threads: one caller at a time. Every socket operation is bounded by the time-out given at connect.
 */
public final class QmpClient implements AutoCloseable {
    static final int MAX_EVENTS = 64;
    /** Bound on one QMP message; query results of a large VM stay far below. */
    static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private final Path socket;
    private final SocketChannel channel;
    private final ChannelWatchdog watchdog;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    private final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();

    private QmpClient(final Path socket, final SocketChannel channel, final Duration timeout) {
        this.socket = socket;
        this.channel = channel;
        this.watchdog = new ChannelWatchdog(channel, timeout.toNanos(), "qmp-watchdog " + socket);
    }

    /** Connects with a 30 s bound per operation, reads the greeting and enters command mode. */
    public static QmpClient connect(final Path socket) throws IOException {
        return connect(socket, Duration.ofSeconds(30));
    }

    /** Connects, reads the greeting and sends {@code qmp_capabilities}. */
    public static QmpClient connect(final Path socket, final Duration timeout) throws IOException {
        final SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), e);
        }
        final QmpClient c = new QmpClient(socket, ch, timeout);
        try {
            final Map<String, Object> greeting = c.readMessage();
            if (!greeting.containsKey("QMP")) {
                throw new IOException("QMP socket " + socket + " did not greet with a QMP banner: "
                        + Json.write(greeting));
            }
            c.execute("qmp_capabilities", Map.of());
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Runs a command; returns its {@code return} value. */
    public Object execute(final String command, final Map<String, Object> arguments) throws IOException {
        final Map<String, Object> request = new LinkedHashMap<>();
        request.put("execute", command);
        if (!arguments.isEmpty()) {
            request.put("arguments", arguments);
        }
        write(Json.write(request) + "\n", command);
        while (true) {
            final Map<String, Object> m = readMessage();
            if (m.containsKey("event")) {
                if (events.size() == MAX_EVENTS) {
                    events.removeFirst();
                }
                events.addLast(m);
                continue;
            }
            if (m.get("error") instanceof Map<?, ?> error) {
                throw new QmpException("QMP " + command + " failed: " + error.get("desc"),
                        String.valueOf(error.get("class")));
            }
            if (m.containsKey("return")) {
                return m.get("return");
            }
            throw new IOException("unexpected QMP message on " + socket + ": " + Json.write(m));
        }
    }

    /** Adds a dirty bitmap to a block node (persistent ones live in the qcow2 and survive a restart). */
    public void addBitmap(final String node, final String name, final boolean persistent) throws IOException {
        execute("block-dirty-bitmap-add", Map.of("node", node, "name", name, "persistent", persistent));
    }

    /** Removes a dirty bitmap. */
    public void removeBitmap(final String node, final String name) throws IOException {
        execute("block-dirty-bitmap-remove", Map.of("node", node, "name", name));
    }

    /**
     * Atomically freezes {@code frozen} (disables it) and starts a new persistent bitmap {@code next}, in one
     * {@code transaction}: no write falls between them. The frozen bitmap then holds exactly the changes up to
     * this moment. It must not be in use by an export.
     */
    public void rotateBitmap(final String node, final String frozen, final String next) throws IOException {
        transaction(List.of(
                action("block-dirty-bitmap-disable", Map.of("node", node, "name", frozen)),
                action("block-dirty-bitmap-add", Map.of("node", node, "name", next, "persistent", true))));
    }

    /** Runs actions in one QMP {@code transaction} (all or nothing). */
    public void transaction(final List<Map<String, Object>> actions) throws IOException {
        execute("transaction", Map.of("actions", actions));
    }

    /** One transaction action. */
    public static Map<String, Object> action(final String type, final Map<String, Object> data) {
        return Map.of("type", type, "data", data);
    }

    /** Starts QEMU's NBD server on a unix socket. */
    public void nbdServerStart(final Path unixSocket) throws IOException {
        execute("nbd-server-start", Map.of("addr", Map.of("type", "unix", "path", unixSocket.toString())));
    }

    /** Stops QEMU's NBD server. */
    public void nbdServerStop() throws IOException {
        execute("nbd-server-stop", Map.of());
    }

    /**
     * Exports a block node over the running NBD server.
     *
     * @param bitmap a bitmap to expose as {@code qemu:dirty-bitmap:NAME}, or null; on a read-only export it must
     *               be disabled (frozen)
     */
    public void addNbdExport(final String id, final String node, final String name, final boolean writable,
                             final String bitmap) throws IOException {
        final Map<String, Object> args = new LinkedHashMap<>();
        args.put("type", "nbd");
        args.put("id", id);
        args.put("node-name", node);
        args.put("name", name);
        args.put("writable", writable);
        if (bitmap != null) {
            args.put("bitmaps", List.of(bitmap));
        }
        execute("block-export-add", args);
    }

    /**
     * Deletes an export and waits for QEMU's BLOCK_EXPORT_DELETED event, so the node is free (and the id reusable)
     * when this returns. Fails when clients are still connected (QEMU's "safe" mode).
     */
    public void deleteExport(final String id) throws IOException {
        execute("block-export-del", Map.of("id", id));
        awaitEvent("BLOCK_EXPORT_DELETED", id);
    }

    /**
     * Waits for an event (by name, and by {@code data.id} when id is not null), consuming it; bounded by the
     * time-out given at connect.
     */
    public Map<String, Object> awaitEvent(final String name, final String id) throws IOException {
        while (true) {
            for (var it = events.iterator(); it.hasNext(); ) {
                final Map<String, Object> e = it.next();
                if (name.equals(e.get("event")) && (id == null
                        || (e.get("data") instanceof Map<?, ?> d && id.equals(d.get("id"))))) {
                    it.remove();
                    return e;
                }
            }
            final Map<String, Object> m = readMessage();
            if (!m.containsKey("event")) {
                throw new IOException("unexpected QMP message while waiting for " + name + ": " + Json.write(m));
            }
            if (events.size() == MAX_EVENTS) {
                events.removeFirst();
            }
            events.addLast(m);
        }
    }

    /** {@code query-block} (devices with a BlockBackend; empty on qemu-storage-daemon). */
    @SuppressWarnings("unchecked")
    public List<Object> queryBlock() throws IOException {
        return (List<Object>) execute("query-block", Map.of());
    }

    /** The dirty bitmaps of a node (name, granularity, count, recording, persistent, busy...). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> dirtyBitmaps(final String node) throws IOException {
        final List<Object> nodes = (List<Object>) execute("query-named-block-nodes", Map.of("flat", true));
        for (Object o : nodes) {
            if (o instanceof Map<?, ?> n && node.equals(n.get("node-name"))) {
                final List<Map<String, Object>> out = new ArrayList<>();
                if (n.get("dirty-bitmaps") instanceof List<?> l) {
                    for (Object b : l) {
                        out.add((Map<String, Object>) b);
                    }
                }
                return out;
            }
        }
        throw new IOException("QMP " + socket + " has no block node named " + node);
    }

    private void write(final String text, final String what) throws IOException {
        final ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        watchdog.begin();
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (ClosedChannelException e) {
            throw closed("sending " + what, e);
        } finally {
            watchdog.end();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readMessage() throws IOException {
        final String line = readLine();
        final Object v;
        try {
            v = Json.parse(line);
        } catch (IllegalArgumentException e) {
            throw new IOException("QMP " + socket + " sent " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new IOException("QMP " + socket + " sent a message that is not an object");
        }
        return (Map<String, Object>) v;
    }

    private String readLine() throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        watchdog.begin();
        try {
            while (true) {
                while (in.hasRemaining()) {
                    final byte b = in.get();
                    if (b == '\n') {
                        final String s = line.toString(StandardCharsets.UTF_8).strip();
                        if (s.isEmpty()) {
                            line.reset();
                            continue;
                        }
                        return s;
                    }
                    if (line.size() >= MAX_LINE_BYTES) {
                        throw new IOException("QMP " + socket + " sent a message longer than " + MAX_LINE_BYTES
                                + " bytes");
                    }
                    line.write(b);
                }
                in.clear();
                final int n = channel.read(in);
                in.flip();
                if (n < 0) {
                    throw new IOException("QMP " + socket + " closed the connection (QEMU exited?)");
                }
            }
        } catch (ClosedChannelException e) {
            throw closed("reading a reply", e);
        } finally {
            watchdog.end();
        }
    }

    private IOException closed(final String what, final IOException cause) {
        return new IOException(watchdog.timedOut()
                ? "QMP " + socket + " did not answer within " + watchdog.timeoutMillis() + " ms while " + what
                : "QMP connection to " + socket + " was closed while " + what, cause);
    }

    @Override
    public void close() throws IOException {
        watchdog.close();
        channel.close();
    }
}
