package io.cairn.engine.source.qemu;

import io.cairn.engine.DebugPause;
import io.cairn.engine.source.nbd.NbdAddress;
import io.cairn.engine.source.nbd.QmpClient;
import io.cairn.engine.source.nbd.QmpException;
import io.cairn.format.PointInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A frozen, exported view of a running QEMU block node for one backup, by fleecing as QEMU 7.2 documents it:
 * a temporary qcow2 overlay whose backing is the node, and a {@code blockdev-backup sync=none} job from the node
 * into it (its copy-before-write filter saves old data into the overlay before the guest overwrites it), started
 * in ONE {@code transaction} with the bitmap rotation ({@link BitmapLineage}), so the frozen view and the bitmap
 * boundary are the same instant. The overlay node is exported read-only over NBD with the frozen bitmap.
 * <p>
 * Life cycle: {@link #open} cleans up what a killed run left behind (everything named with
 * {@link QemuNames#prefix()}), then sets up; the caller reads {@link #address()}, closes its NBD connection,
 * calls {@link #published()} once the restore point is durable, and closes this. {@link #close()} always removes
 * the export, cancels the job, deletes both nodes and the overlay file and stops a server it started; then it
 * either removes the old bitmap (published) or merges the new bitmap back into the old one and re-enables it
 * (not published), so that the next run is a correct incremental of the latest published point.
 * <p>
 * Threads: one caller; the QMP client is this session's for its lifetime.
 */
public final class FleecingSession implements AutoCloseable {
    /** Bound on one QEMU job (formatting the overlay, cancelling the backup job). */
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

    private final QmpClient qmp;
    private final QemuNames names;
    private final Consumer<String> warnings;
    private BitmapLineage lineage;
    private long size;
    private NbdAddress address;
    private boolean fileNodeAdded;
    private boolean fleeceNodeAdded;
    private boolean transactionDone;
    private boolean serverStarted;
    private boolean exportAdded;
    private boolean published;

    private FleecingSession(final QmpClient qmp, final QemuNames names, final Consumer<String> warnings) {
        this.qmp = qmp;
        this.names = names;
        this.warnings = warnings;
    }

    /**
     * Sets up the frozen view of {@code names.node()}.
     *
     * @param latest    the disk's latest restore point (decides the bitmap lineage), or null
     * @param nbdServer a running NBD server of that QEMU to add the export to, or null to start a private one
     * @throws IOException with a one-line reason (node missing, QEMU refused a step); whatever was set up is undone
     */
    public static FleecingSession open(final QmpClient qmp, final QemuNames names, final PointInfo latest,
                                       final NbdServerAddress nbdServer, final Consumer<String> warnings)
            throws IOException {
        final FleecingSession s = new FleecingSession(qmp, names, warnings);
        try {
            s.setUp(latest, nbdServer);
            return s;
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException | RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    private void setUp(final PointInfo latest, final NbdServerAddress nbdServer) throws IOException {
        final Map<String, Object> node = findNode(names.node());
        size = ((Number) ((Map<?, ?>) node.get("image")).get("virtual-size")).longValue();
        cleanUpLeftovers();
        lineage = BitmapLineage.plan(names, latest, bitmapsOf(findNode(names.node())));
        if (lineage.warning() != null) {
            warnings.accept(lineage.warning());
        }
        final Path overlay = names.overlayFile();
        Files.createFile(overlay);
        qmp.blockdevAdd(Map.of("driver", "file", "node-name", names.fleeceFileNode(),
                "filename", overlay.toString()));
        fileNodeAdded = true;
        qmp.runJob("blockdev-create", Map.of("job-id", names.createJob(), "options",
                Map.of("driver", "qcow2", "file", names.fleeceFileNode(), "size", size)), names.createJob(),
                JOB_TIMEOUT);
        qmp.blockdevAdd(Map.of("driver", "qcow2", "node-name", names.fleeceNode(), "file", names.fleeceFileNode(),
                "backing", names.node()));
        fleeceNodeAdded = true;

        final List<Map<String, Object>> actions = new ArrayList<>(lineage.actions(names.node()));
        actions.add(QmpClient.action("blockdev-backup", Map.of("job-id", names.backupJob(), "device", names.node(),
                "target", names.fleeceNode(), "sync", "none", "filter-node-name", names.filterNode())));
        DebugPause.at("qmp-before-transaction");
        qmp.transaction(actions);
        transactionDone = true;

        if (nbdServer == null) {
            startPrivateServer();
            address = NbdAddress.unix(names.serverSocket(), names.export());
        } else {
            address = nbdServer.export(names.export());
        }
        qmp.addNbdExport(names.export(), names.fleeceNode(), names.export(), false, lineage.base());
        exportAdded = true;
        DebugPause.at("qmp-fleecing-ready");
    }

    private void startPrivateServer() throws IOException {
        final Path socket = names.serverSocket();
        try {
            qmp.nbdServerStart(socket);
        } catch (QmpException e) {
            if (!e.getMessage().contains("already running") || !Files.exists(socket)) {
                throw new IOException("QEMU already runs an NBD server (" + e.getMessage()
                        + "); name its address with --nbd", e);
            }
            // the server runs on Cairn's own socket name for this QEMU and node: a killed run started it
            qmp.nbdServerStop();
            Files.deleteIfExists(socket);
            warnings.accept("stopped the NBD server that an interrupted Cairn backup had left running on " + socket);
            qmp.nbdServerStart(socket);
        }
        serverStarted = true;
    }

    /** Removes what a killed run of this (QMP socket, node) left: export, jobs, nodes, overlay file. */
    private void cleanUpLeftovers() throws IOException {
        final List<String> found = new ArrayList<>();
        for (Map<String, Object> e : qmp.queryExports()) {
            final String id = String.valueOf(e.get("id"));
            if (owned(id)) {
                qmp.deleteExportHard(id);
                found.add("export " + id);
            }
        }
        for (Map<String, Object> j : qmp.queryJobs()) {
            final String id = String.valueOf(j.get("id"));
            if (owned(id)) {
                qmp.cancelJob(id, JOB_TIMEOUT);
                found.add("job " + id);
            }
        }
        for (String n : List.of(names.fleeceNode(), names.fleeceFileNode())) {
            if (hasNode(n)) {
                qmp.blockdevDel(n);
                found.add("node " + n);
            }
        }
        if (Files.deleteIfExists(names.overlayFile())) {
            found.add("file " + names.overlayFile());
        }
        if (!found.isEmpty()) {
            warnings.accept("cleaned up after an interrupted Cairn backup: " + String.join(", ", found));
        }
    }

    private boolean owned(final String id) {
        return id.equals(names.prefix()) || id.startsWith(names.prefix() + "-");
    }

    private Map<String, Object> findNode(final String name) throws IOException {
        final List<String> all = new ArrayList<>();
        for (Map<String, Object> n : qmp.queryNodes()) {
            if (name.equals(n.get("node-name"))) {
                return n;
            }
            all.add(String.valueOf(n.get("node-name")));
        }
        throw new IOException("QEMU has no block node named '" + name + "' (its nodes: " + String.join(", ", all)
                + ")");
    }

    private boolean hasNode(final String name) throws IOException {
        for (Map<String, Object> n : qmp.queryNodes()) {
            if (name.equals(n.get("node-name"))) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> bitmapsOf(final Map<String, Object> node) {
        final List<Map<String, Object>> out = new ArrayList<>();
        if (node.get("dirty-bitmaps") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?>) {
                    out.add((Map<String, Object>) o);
                }
            }
        }
        return out;
    }

    /** Where the frozen view is exported (read-only, with {@link #baseBitmap()} when that is not null). */
    public NbdAddress address() {
        return address;
    }

    /** The node's virtual size. */
    public long size() {
        return size;
    }

    /** The frozen bitmap with the writes since {@link #basePointId()}, or null (then: full or hash comparison). */
    public String baseBitmap() {
        return lineage.base();
    }

    /** The restore point the base bitmap starts at, or null. */
    public String basePointId() {
        return lineage.basePointId();
    }

    /** The bitmap that records writes after this backup's instant; the new restore point names it. */
    public String nextBitmap() {
        return lineage.next();
    }

    /** The names used in QEMU. */
    public QemuNames names() {
        return names;
    }

    /** Marks the restore point as durably published: {@link #close()} then drops the old bitmap. */
    public void published() {
        published = true;
    }

    /**
     * Tears everything down (each step attempted even when an earlier one fails; the first failure is thrown with
     * the others suppressed). The caller's NBD connection must be closed first.
     */
    @Override
    public void close() throws IOException {
        final List<Exception> errors = new ArrayList<>();
        if (exportAdded) {
            step(errors, () -> qmp.deleteExportHard(names.export()));
        }
        if (transactionDone) {
            step(errors, published ? this::dropOldBitmap : this::mergeBack);
        }
        if (transactionDone) {
            step(errors, () -> qmp.cancelJob(names.backupJob(), JOB_TIMEOUT));
        }
        if (fleeceNodeAdded) {
            step(errors, () -> qmp.blockdevDel(names.fleeceNode()));
        }
        if (fileNodeAdded) {
            step(errors, () -> qmp.blockdevDel(names.fleeceFileNode()));
        }
        step(errors, () -> Files.deleteIfExists(names.overlayFile()));
        if (serverStarted) {
            step(errors, qmp::nbdServerStop);
            step(errors, () -> Files.deleteIfExists(names.serverSocket()));
        }
        if (!errors.isEmpty()) {
            final IOException first = errors.getFirst() instanceof IOException io ? io
                    : new IOException(errors.getFirst().getMessage(), errors.getFirst());
            for (Exception e : errors.subList(1, errors.size())) {
                first.addSuppressed(e);
            }
            throw first;
        }
    }

    /** After publishing: the old bitmap's writes are in the new point; the new bitmap carries on. */
    private void dropOldBitmap() throws IOException {
        if (lineage.base() != null) {
            qmp.removeBitmap(names.node(), lineage.base());
        }
    }

    /**
     * Not published: the new bitmap's writes go back into the old one, which records again, atomically; the
     * latest published point's bitmap then again covers every write since that point. Without an old bitmap the
     * new one belongs to no point and is removed.
     */
    private void mergeBack() throws IOException {
        final String node = names.node();
        if (lineage.base() == null) {
            qmp.removeBitmap(node, lineage.next());
            return;
        }
        qmp.transaction(List.of(
                QmpClient.action("block-dirty-bitmap-merge", Map.of("node", node, "target", lineage.base(),
                        "bitmaps", List.of(lineage.next()))),
                QmpClient.action("block-dirty-bitmap-enable", Map.of("node", node, "name", lineage.base())),
                QmpClient.action("block-dirty-bitmap-remove", Map.of("node", node, "name", lineage.next()))));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void step(final List<Exception> errors, final Step step) {
        try {
            step.run();
        } catch (Exception e) {
            errors.add(e);
        }
    }
}
