package io.cairn.tools;

import io.cairn.engine.source.nbd.QmpClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real qemu-storage-daemon on a qcow2 image for the CLI tests: block node {@value #NODE}, a QMP monitor, and an
 * NBD server with a writable export {@value #EXPORT} through which the tests write (the "guest"). Killed by
 * {@link #close()}.
 */
final class QemuDaemon implements AutoCloseable {
    static final String NODE = "fmt";
    static final String EXPORT = "disk";
    private final Process process;
    private final Path dir;
    private final Path nbdSocket;
    private final Path qmpSocket;
    private final Path log;

    private QemuDaemon(final Process process, final Path dir) {
        this.process = process;
        this.dir = dir;
        this.nbdSocket = dir.resolve("nbd.sock");
        this.qmpSocket = dir.resolve("qmp.sock");
        this.log = dir.resolve("qsd.log");
    }

    static void assumeInstalled() {
        for (String tool : List.of("qemu-storage-daemon", "qemu-img", "qemu-io")) {
            assumeTrue(onPath(tool), tool + " is not installed (apt-get install qemu-system-x86 qemu-utils)");
        }
    }

    static boolean onPath(final String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Creates a qcow2 image of {@code size} bytes in dir and starts the daemon on it. */
    static QemuDaemon start(final Path dir, final long size) throws IOException, InterruptedException {
        assumeInstalled();
        final Path image = dir.resolve("disk.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), String.valueOf(size));
        final Path pid = dir.resolve("qsd.pid");
        final Process p = new ProcessBuilder("qemu-storage-daemon",
                "--blockdev", "driver=file,node-name=file,filename=" + image,
                "--blockdev", "driver=qcow2,node-name=" + NODE + ",file=file",
                "--nbd-server", "addr.type=unix,addr.path=" + dir.resolve("nbd.sock"),
                "--export", "type=nbd,id=e,node-name=" + NODE + ",name=" + EXPORT + ",writable=on",
                "--chardev", "socket,id=m,path=" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                "--monitor", "chardev=m",
                "--pidfile", pid.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qsd.log").toFile()).start();
        final QemuDaemon d = new QemuDaemon(p, dir);
        for (int i = 0; i < 1000 && !(Files.exists(pid) && Files.size(pid) > 0); i++) {
            if (!p.isAlive()) {
                throw new IOException("qemu-storage-daemon exited: " + Files.readString(d.log));
            }
            Thread.sleep(10);
        }
        assertTrue(Files.exists(d.qmpSocket) && Files.exists(d.nbdSocket), "qemu-storage-daemon sockets");
        return d;
    }

    Path qmpSocket() {
        return qmpSocket;
    }

    Path nbdSocket() {
        return nbdSocket;
    }

    String url() {
        return "nbd+unix:///" + EXPORT + "?socket=" + nbdSocket;
    }

    /** Writes {@code length} bytes of {@code pattern} at offset through the guest export (qemu-io). */
    void write(final int pattern, final long offset, final long length) throws IOException, InterruptedException {
        run("qemu-io", "-f", "raw", "-c", "write -P " + pattern + " " + offset + " " + length, url());
    }

    /** The disk's current content as a raw file (read through the guest export). */
    Path contents(final String name) throws IOException, InterruptedException {
        final Path raw = dir.resolve(name);
        run("qemu-img", "convert", "-f", "raw", "-O", "raw", url(), raw.toString());
        return raw;
    }

    QmpClient qmp() throws IOException {
        return QmpClient.connect(qmpSocket, Duration.ofSeconds(30));
    }

    /** Stops the guest NBD server (so Cairn must start its own); {@link #startGuestServer} undoes it. */
    void stopGuestServer() throws IOException {
        try (QmpClient q = qmp()) {
            q.nbdServerStop();
        }
    }

    void startGuestServer() throws IOException {
        try (QmpClient q = qmp()) {
            q.nbdServerStart(nbdSocket);
            q.addNbdExport("e", NODE, EXPORT, true, null);
        }
    }

    /**
     * Names of the node's named dirty bitmaps, with ":off" appended to those not recording (a running backup job
     * adds an unnamed one of its own, QEMU's).
     */
    List<String> bitmaps() throws IOException {
        try (QmpClient q = qmp()) {
            final List<String> out = new ArrayList<>();
            for (Map<String, Object> b : q.dirtyBitmaps(NODE)) {
                if (b.get("name") == null) {
                    continue;
                }
                out.add(b.get("name") + (Boolean.TRUE.equals(b.get("recording")) ? "" : ":off"));
            }
            return out;
        }
    }

    /**
     * Asserts that nothing of Cairn's is left in the daemon (nodes, jobs, exports) except the one recording bitmap
     * {@code bitmap}, and that no NBD server runs unless the guest's does.
     */
    void assertOnlyBitmapLeft(final String bitmap, final boolean guestServer) throws IOException {
        try (QmpClient q = qmp()) {
            for (Map<String, Object> n : q.queryNodes()) {
                assertFalse(String.valueOf(n.get("node-name")).startsWith("cairn-"), "leftover node " + n);
            }
            assertEquals(List.of(), q.queryJobs(), "leftover jobs");
            final List<Object> exports = new ArrayList<>();
            q.queryExports().forEach(e -> exports.add(e.get("id")));
            assertEquals(guestServer ? List.of("e") : List.of(), exports, "exports");
            if (!guestServer) { // no server left: starting one must work
                final Path probe = dir.resolve("probe.sock");
                q.nbdServerStart(probe);
                q.nbdServerStop();
            }
        }
        assertEquals(List.of(bitmap), bitmaps(), "dirty bitmaps");
    }

    static String run(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
