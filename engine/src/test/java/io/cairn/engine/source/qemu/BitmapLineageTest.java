package io.cairn.engine.source.qemu;

import io.cairn.format.PointInfo;
import io.cairn.format.point.Manifest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bitmap decisions without QEMU: which bitmap may decide an incremental, what a killed run's bitmaps become,
 * and that every doubt ends in hash comparison with a warning. Also the --nbd ADDRESS forms.
 */
class BitmapLineageTest {
    private static final QemuNames NAMES = QemuNames.of("vm", Path.of("/run/qmp.sock"), "fmt", Path.of("/tmp"));

    private static PointInfo point(final String bitmap, final String node) {
        final Manifest m = new Manifest();
        if (bitmap != null) {
            m.put(BitmapLineage.BITMAP_KEY, bitmap).put(BitmapLineage.NODE_KEY, node);
        }
        return new PointInfo("p1", "vm", Path.of("/r/p1"), 1, 1, m);
    }

    private static Map<String, Object> bitmap(final String name, final boolean recording) {
        return Map.of("name", name, "recording", recording, "inconsistent", false);
    }

    @Test
    void shouldReadFullAndRemoveStaleBitmapsWhenThereIsNoPoint() {
        final BitmapLineage l = BitmapLineage.plan(NAMES, null, List.of(bitmap("cairn-vm-4", true),
                bitmap("other", true), bitmap("cairn-vm-1-2", true)));
        assertNull(l.base());
        assertNull(l.warning(), "a first backup is no fallback");
        assertEquals(List.of("cairn-vm-4"), l.remove(), "only this disk's bitmaps are Cairn's to remove");
        assertEquals("cairn-vm-5", l.next());
    }

    @Test
    void shouldFreezeTheLatestPointsBitmapAndDropOlderOnes() {
        final BitmapLineage l = BitmapLineage.plan(NAMES, point("cairn-vm-3", "fmt"),
                List.of(bitmap("cairn-vm-2", true), bitmap("cairn-vm-3", true)));
        assertEquals("cairn-vm-3", l.base());
        assertEquals("p1", l.basePointId());
        assertTrue(l.disableBase());
        assertEquals(List.of("cairn-vm-2"), l.remove());
        assertEquals("cairn-vm-4", l.next());
        assertEquals(List.of("block-dirty-bitmap-remove", "block-dirty-bitmap-disable", "block-dirty-bitmap-add"),
                l.actions("fmt").stream().map(a -> a.get("type")).toList());
    }

    @Test
    void shouldMergeAKilledRunsNewBitmapIntoTheFrozenBase() {
        final BitmapLineage l = BitmapLineage.plan(NAMES, point("cairn-vm-3", "fmt"),
                List.of(bitmap("cairn-vm-3", false), bitmap("cairn-vm-4", true)));
        assertEquals("cairn-vm-3", l.base());
        assertEquals(List.of("cairn-vm-4"), l.mergeIntoBase());
        assertEquals(false, l.disableBase(), "already frozen by the killed run");
        assertEquals("cairn-vm-5", l.next());
        assertEquals(List.of("block-dirty-bitmap-merge", "block-dirty-bitmap-remove", "block-dirty-bitmap-add"),
                l.actions("fmt").stream().map(a -> a.get("type")).toList());
    }

    @Test
    void shouldFallBackWithAWarningWheneverTheBitmapCannotBeTrusted() {
        assertTrue(BitmapLineage.plan(NAMES, point(null, null), List.of()).warning()
                .contains("names no QEMU dirty bitmap"));
        assertTrue(BitmapLineage.plan(NAMES, point("cairn-vm-1", "other"), List.of(bitmap("cairn-vm-1", true)))
                .warning().contains("not 'fmt'"));
        assertTrue(BitmapLineage.plan(NAMES, point("cairn-vm-1", "fmt"), List.of()).warning().contains("missing"));
        assertTrue(BitmapLineage.plan(NAMES, point("cairn-vm-1", "fmt"), List.of(bitmap("cairn-vm-1", false)))
                .warning().contains("not recording"));
        assertTrue(BitmapLineage.plan(NAMES, point("cairn-vm-1", "fmt"),
                List.of(Map.of("name", "cairn-vm-1", "recording", true, "inconsistent", true))).warning()
                .contains("inconsistent"));
        final BitmapLineage l = BitmapLineage.plan(NAMES, point("cairn-vm-1", "fmt"),
                List.of(bitmap("cairn-vm-1", false)));
        assertNull(l.base());
        assertEquals(List.of("cairn-vm-1"), l.remove());
        assertTrue(l.warning().contains("comparing hashes with restore point p1"));
    }

    @Test
    void shouldKeepQemuNodeNamesWithinThirtyOneCharacters() {
        final QemuNames long64 = QemuNames.of("d".repeat(64), Path.of("/x/" + "s".repeat(90)), "n".repeat(31),
                Path.of("/tmp"));
        for (String n : List.of(long64.fleeceNode(), long64.fleeceFileNode(), long64.filterNode())) {
            assertTrue(n.length() <= 31, n);
        }
        assertEquals(-1, NAMES.bitmapNumber("cairn-vm-"));
        assertEquals(12, NAMES.bitmapNumber("cairn-vm-12"));
    }

    @Test
    void shouldParseNbdServerAddresses() {
        assertEquals(Path.of("/run/nbd.sock"), NbdServerAddress.parse("/run/nbd.sock").socket());
        assertEquals(Path.of("nbd.sock"), NbdServerAddress.parse("nbd.sock").socket());
        final NbdServerAddress tcp = NbdServerAddress.parse("[::1]:10809");
        assertEquals("::1", tcp.host());
        assertEquals(10809, tcp.port());
        assertEquals("nbd://host:10809/cairn-x", NbdServerAddress.parse("host:10809").export("cairn-x").toString());
        assertThrows(IllegalArgumentException.class, () -> NbdServerAddress.parse("host:99999"));
        assertThrows(IllegalArgumentException.class, () -> NbdServerAddress.parse(""));
    }
}
