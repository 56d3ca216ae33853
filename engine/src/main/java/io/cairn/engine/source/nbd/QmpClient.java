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

    /**
     * Starts QEMU's NBD server on a unix socket. {@code nbd-server-start} takes the legacy socket address form
     * ({@code {"type":"unix","data":{"path":...}}}); QEMU runs at most one NBD server.
     */
    public void nbdServerStart(final Path unixSocket) throws IOException {
        execute("nbd-server-start", Map.of("addr", Map.of("type", "unix",
                "data", Map.of("path", unixSocket.toString()))));
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
     * Deletes an export in QEMU's {@code hard} mode (connected clients are cut off), for exports left behind by a
     * killed process, and waits for BLOCK_EXPORT_DELETED.
     */
    public void deleteExportHard(final String id) throws IOException {
        execute("block-export-del", Map.of("id", id, "mode", "hard"));
        awaitEvent("BLOCK_EXPORT_DELETED", id);
    }

    /** {@code query-block-exports}: id, type, node-name, shutting-down of every block export. */
    public List<Map<String, Object>> queryExports() throws IOException {
        return objects(execute("query-block-exports", Map.of()));
    }

    /** {@code query-jobs}: id, type, status (and error once concluded) of every job. */
    public List<Map<String, Object>> queryJobs() throws IOException {
        return objects(execute("query-jobs", Map.of()));
    }

    /** {@code query-named-block-nodes} with {@code flat}: every node once, with its dirty bitmaps. */
    public List<Map<String, Object>> queryNodes() throws IOException {
        return objects(execute("query-named-block-nodes", Map.of("flat", true)));
    }

    /** {@code blockdev-add} with the given node options. */
    public void blockdevAdd(final Map<String, Object> options) throws IOException {
        execute("blockdev-add", options);
    }

    /** {@code blockdev-del} of a node that nothing uses any more. */
    public void blockdevDel(final String node) throws IOException {
        execute("blockdev-del", Map.of("node-name", node));
    }

    /**
     * Runs a job-starting command (e.g. {@code blockdev-create}) and waits until job {@code id} has concluded,
     * then dismisses it; an IOException with the job's error when it failed.
     */
    public void runJob(final String command, final Map<String, Object> arguments, final String id,
                       final Duration timeout) throws IOException {
        execute(command, arguments);
        final Map<String, Object> job = awaitJob(id, "concluded", timeout);
        if (job != null) {
            execute("job-dismiss", Map.of("id", id));
            if (job.get("error") != null) {
                throw new IOException("QMP job " + id + " failed: " + job.get("error"));
            }
        }
    }

    /**
     * Cancels job {@code id} (if it exists) and waits until it is gone, dismissing it when it stays concluded.
     * A backup job with {@code sync=none} never ends by itself; cancelling it removes its copy-before-write filter.
     */
    public void cancelJob(final String id, final Duration timeout) throws IOException {
        Map<String, Object> job = findJob(id);
        if (job == null) {
            return;
        }
        if (!"concluded".equals(job.get("status")) && !"aborting".equals(job.get("status"))) {
            execute("job-cancel", Map.of("id", id));
        }
        job = awaitJob(id, "concluded", timeout);
        if (job != null) {
            execute("job-dismiss", Map.of("id", id));
        }
    }

    /**
     * Polls {@code query-jobs} until job id has the status (returned) or is gone (null); bounded by timeout.
     */
    private Map<String, Object> awaitJob(final String id, final String status, final Duration timeout)
            throws IOException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final Map<String, Object> job = findJob(id);
            if (job == null || status.equals(job.get("status"))) {
                return job;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("QMP job " + id + " did not reach status " + status + " within "
                        + timeout.toMillis() + " ms (status " + job.get("status") + ")");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for QMP job " + id);
            }
        }
    }

    private Map<String, Object> findJob(final String id) throws IOException {
        for (Map<String, Object> j : queryJobs()) {
            if (id.equals(j.get("id"))) {
                return j;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(final Object value) {
        final List<Map<String, Object>> out = new ArrayList<>();
        if (value instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?>) {
                    out.add((Map<String, Object>) o);
                }
            }
        }
        return out;
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
