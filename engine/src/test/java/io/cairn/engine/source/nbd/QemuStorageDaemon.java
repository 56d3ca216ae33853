package io.cairn.engine.source.nbd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real qemu-storage-daemon for tests: one image as block node {@code fmt} (format node over file node
 * {@code file}), an NBD server on a unix socket with export {@code disk}, and a QMP monitor. Killed by
 * {@link #close()}; tests call it from {@code @AfterEach}.
 */
final class QemuStorageDaemon implements AutoCloseable {
    static final String NODE = "fmt";
    static final String EXPORT = "disk";
    private final Process process;
    private final Path nbdSocket;
    private final Path qmpSocket;
    private final Path log;

    private QemuStorageDaemon(final Process process, final Path nbdSocket, final Path qmpSocket, final Path log) {
        this.process = process;
        this.nbdSocket = nbdSocket;
        this.qmpSocket = qmpSocket;
        this.log = log;
    }

    /** Skips the test when the QEMU tools are not installed. */
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

    /**
     * Starts the daemon on the image.
     *
     * @param format   "raw" or "qcow2"
     * @param writable whether the export {@code disk} accepts writes
     */
    static QemuStorageDaemon start(final Path dir, final Path image, final String format, final boolean writable)
            throws IOException, InterruptedException {
        assumeInstalled();
        final Path nbd = dir.resolve("nbd.sock");
        final Path qmp = dir.resolve("qmp.sock");
        final Path log = dir.resolve("qsd.log");
        final Path pid = dir.resolve("qsd.pid"); // written once every option has been set up
        final List<String> cmd = new ArrayList<>(List.of("qemu-storage-daemon",
                "--blockdev", "driver=file,node-name=file,filename=" + image,
                "--blockdev", "driver=" + format + ",node-name=" + NODE + ",file=file",
                "--nbd-server", "addr.type=unix,addr.path=" + nbd,
                "--export", "type=nbd,id=e,node-name=" + NODE + ",name=" + EXPORT + ",writable="
                        + (writable ? "on" : "off"),
                "--chardev", "socket,id=m,path=" + qmp + ",server=on,wait=off",
                "--monitor", "chardev=m",
                "--pidfile", pid.toString()));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final QemuStorageDaemon d = new QemuStorageDaemon(p, nbd, qmp, log);
        // readiness, not a timed assertion: wait until the pid file exists or the daemon exits
        for (int i = 0; i < 1000 && !(Files.exists(pid) && Files.size(pid) > 0); i++) {
            if (!p.isAlive()) {
                throw new IOException("qemu-storage-daemon exited: " + Files.readString(log));
            }
            Thread.sleep(10);
        }
        if (!(Files.exists(nbd) && Files.exists(qmp))) {
            d.close();
            throw new IOException("qemu-storage-daemon did not create its sockets: " + Files.readString(log));
        }
        return d;
    }

    NbdAddress address() {
        return NbdAddress.unix(nbdSocket, EXPORT);
    }

    NbdAddress address(final String export) {
        return NbdAddress.unix(nbdSocket, export);
    }

    Path nbdSocket() {
        return nbdSocket;
    }

    Path qmpSocket() {
        return qmpSocket;
    }

    String url(final String export) {
        return "nbd+unix:///" + export + "?socket=" + nbdSocket;
    }

    /** Runs a tool to completion; fails with its output when it fails. */
    static String run(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Writes a pattern through NBD with qemu-io. */
    void write(final String export, final int pattern, final long offset, final long length)
            throws IOException, InterruptedException {
        run("qemu-io", "-f", "raw", "-c", "write -P " + pattern + " " + offset + " " + length, url(export));
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
