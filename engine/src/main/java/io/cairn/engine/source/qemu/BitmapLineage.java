package io.cairn.engine.source.qemu;

import io.cairn.engine.source.nbd.QmpClient;
import io.cairn.format.PointInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, from the latest restore point's manifest and the dirty bitmaps on the node, which bitmap (if any)
 * holds exactly the writes since that point, and plans the bitmap actions of the fleecing transaction.
 * <p>
 * The invariant Cairn keeps: the latest restore point made with {@code --qmp} names, in manifest key
 * {@value #BITMAP_KEY}, the bitmap that started recording at the instant of its point-in-time view. A run freezes
 * that bitmap and starts the next one in the same transaction as the fleecing. A run that fails merges the new
 * bitmap back into the frozen one and re-enables it; a run that was killed leaves both, and the next run does the
 * merge in its own transaction (bitmaps numbered after the base are merged into it, older ones are removed). So the
 * base bitmap, together with any newer Cairn bitmap of the disk, always covers every write since the latest point.
 * When that cannot be shown (no key, other node, bitmap missing or inconsistent, or nothing recording since), the
 * plan has no base and the backup compares hashes, with a warning: never a silent gap.
 *
 * @param base          the bitmap to freeze and export (the writes since {@link #basePointId}), or null
 * @param basePointId   the restore point that base starts at, or null
 * @param next          the new persistent bitmap that starts recording at this backup's instant
 * @param mergeIntoBase newer Cairn bitmaps of this disk (left by a killed run) to merge into base
 * @param remove        Cairn bitmaps of this disk to delete (older than base, or all of them without a base)
 * @param disableBase   whether base is still recording and must be disabled (frozen) in the transaction
 * @param warning       why an incremental backup compares hashes instead, or null
 */
public record BitmapLineage(String base, String basePointId, String next, List<String> mergeIntoBase,
                            List<String> remove, boolean disableBase, String warning) {
    /** Manifest key: the QEMU dirty bitmap that records the writes after this restore point. */
    public static final String BITMAP_KEY = "qemu_bitmap";
    /** Manifest key: the QEMU block node this restore point was read from. */
    public static final String NODE_KEY = "qemu_node";

    /** One dirty bitmap as {@code query-named-block-nodes} reports it. */
    record Bitmap(String name, boolean recording, boolean inconsistent) {
        static Bitmap of(final Map<String, Object> m) {
            return new Bitmap(String.valueOf(m.get("name")), Boolean.TRUE.equals(m.get("recording")),
                    Boolean.TRUE.equals(m.get("inconsistent")));
        }
    }

    /**
     * Plans the run.
     *
     * @param latest  the disk's latest restore point, or null for its first backup
     * @param bitmaps the node's dirty bitmaps (maps from {@code query-named-block-nodes})
     */
    public static BitmapLineage plan(final QemuNames names, final PointInfo latest,
                                     final List<Map<String, Object>> bitmaps) {
        final Map<Long, Bitmap> ours = new LinkedHashMap<>();
        long max = 0;
        for (Map<String, Object> m : bitmaps) {
            final Bitmap b = Bitmap.of(m);
            final long n = names.bitmapNumber(b.name());
            if (n >= 0) {
                ours.put(n, b);
                max = Math.max(max, n);
            }
        }
        final String next = names.bitmap(max + 1);
        final String problem = latest == null ? null : problem(names, latest, ours);
        if (latest == null || problem != null) {
            final List<String> remove = new ArrayList<>();
            ours.values().forEach(b -> remove.add(b.name()));
            final String warning = latest == null ? null : problem + ": reading every allocated block and "
                    + "comparing hashes with restore point " + latest.id() + " instead";
            return new BitmapLineage(null, null, next, List.of(), remove, false, warning);
        }
        final String base = latest.manifest().get(BITMAP_KEY);
        final long baseN = names.bitmapNumber(base);
        final List<String> merge = new ArrayList<>();
        final List<String> remove = new ArrayList<>();
        ours.forEach((n, b) -> {
            if (n > baseN) {
                merge.add(b.name());
            } else if (n < baseN) {
                remove.add(b.name());
            }
        });
        return new BitmapLineage(base, latest.id(), next, merge, remove, ours.get(baseN).recording(), null);
    }

    /** Why the latest point's bitmap cannot be trusted, or null when it can. */
    private static String problem(final QemuNames names, final PointInfo latest, final Map<Long, Bitmap> ours) {
        final String base = latest.manifest().get(BITMAP_KEY);
        final String node = latest.manifest().get(NODE_KEY);
        if (base == null || base.isEmpty()) {
            return "restore point " + latest.id() + " names no QEMU dirty bitmap (it was not made with --qmp)";
        }
        if (!names.node().equals(node)) {
            return "restore point " + latest.id() + " was read from block node '" + node + "', not '"
                    + names.node() + "'";
        }
        final long baseN = names.bitmapNumber(base);
        final Bitmap b = ours.get(baseN);
        if (baseN < 0 || b == null) {
            return "dirty bitmap '" + base + "' of restore point " + latest.id() + " is missing on node '"
                    + names.node() + "'";
        }
        long newest = baseN;
        for (Map.Entry<Long, Bitmap> e : ours.entrySet()) {
            if (e.getKey() >= baseN && e.getValue().inconsistent()) {
                return "dirty bitmap '" + e.getValue().name() + "' on node '" + names.node()
                        + "' is marked inconsistent by QEMU (unclean shutdown?)";
            }
            newest = Math.max(newest, e.getKey());
        }
        if (!ours.get(newest).recording()) {
            return "dirty bitmap '" + ours.get(newest).name() + "' on node '" + names.node()
                    + "' is not recording (disabled outside Cairn?), so writes may be missing from it";
        }
        return null;
    }

    /** The bitmap actions of the fleecing transaction on {@code node}, in order. */
    public List<Map<String, Object>> actions(final String node) {
        final List<Map<String, Object>> a = new ArrayList<>();
        if (!mergeIntoBase.isEmpty()) {
            a.add(QmpClient.action("block-dirty-bitmap-merge", Map.of("node", node, "target", base,
                    "bitmaps", mergeIntoBase)));
        }
        for (String b : mergeIntoBase) {
            a.add(QmpClient.action("block-dirty-bitmap-remove", Map.of("node", node, "name", b)));
        }
        for (String b : remove) {
            a.add(QmpClient.action("block-dirty-bitmap-remove", Map.of("node", node, "name", b)));
        }
        if (base != null && disableBase) {
            a.add(QmpClient.action("block-dirty-bitmap-disable", Map.of("node", node, "name", base)));
        }
        a.add(QmpClient.action("block-dirty-bitmap-add", Map.of("node", node, "name", next, "persistent", true)));
        return a;
    }
}
