package io.cairn.engine.source.nbd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NbdClient, NbdBlockSource, DirtyExtents and QmpClient against a real qemu-storage-daemon on a qcow2 disk,
 * written to with qemu-io through NBD, bitmaps managed over QMP following QEMU's rules (platform-facts).
 */
class QemuDirtyBitmapTest {
    private static final long MIB = 1024 * 1024;
    private static final long KIB = 1024;
    private static final long SIZE = 16 * MIB;

    @TempDir
    Path dir;
    private QemuStorageDaemon daemon;
    private QmpClient qmp;

    @BeforeEach
    void start() throws Exception {
        QemuStorageDaemon.assumeInstalled();
        final Path image = dir.resolve("disk.qcow2");
        QemuStorageDaemon.run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), String.valueOf(SIZE));
        daemon = QemuStorageDaemon.start(dir, image, "qcow2", true);
        qmp = QmpClient.connect(daemon.qmpSocket(), Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (qmp != null) {
                qmp.close();
            }
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    @Test
    void shouldReadWhatQemuWroteWhenReadThroughNbd() throws Exception {
        daemon.write("disk", 0xaa, MIB, 64 * KIB);
        daemon.write("disk", 0x55, 5 * MIB + 4 * KIB, 8 * KIB);
        final Path raw = dir.resolve("expected.raw");
        QemuStorageDaemon.run("qemu-img", "convert", "-f", "raw", "-O", "raw", daemon.url("disk"), raw.toString());
        final byte[] expected = Files.readAllBytes(raw);
        try (Arena arena = Arena.ofConfined(); NbdClient client = NbdClient.connect(daemon.address(), List.of())) {
            assertEquals(SIZE, client.exportSize());
            final MemorySegment whole = arena.allocate(SIZE, 4096);
            whole.fill((byte) 0x77);
            client.read(whole, 0, (int) SIZE); // split by the server's maximum payload
            assertEquals(-1, whole.mismatch(MemorySegment.ofArray(expected)));
            assertEquals((byte) 0xaa, whole.get(java.lang.foreign.ValueLayout.JAVA_BYTE, MIB));
        }
    }

    @Test
    void shouldReportOnlyWrittenClustersAsDataWhenDiskIsMostlyEmpty() throws Exception {
        daemon.write("disk", 0xaa, MIB, 64 * KIB);
        daemon.write("disk", 0x55, 5 * MIB + 4 * KIB, 8 * KIB); // allocates the 64 KiB cluster at 5 MiB
        try (NbdBlockSource source = NbdBlockSource.open(daemon.address())) {
            final List<String> extents = new ArrayList<>();
            long offset = 0;
            while (true) {
                final long data = source.nextData(offset);
                if (data < 0) {
                    break;
                }
                offset = source.nextHole(data);
                extents.add("[" + data + ", " + offset + ")");
            }
            assertEquals(List.of("[" + MIB + ", " + (MIB + 64 * KIB) + ")",
                    "[" + 5 * MIB + ", " + (5 * MIB + 64 * KIB) + ")"), extents);
        }
    }

    @Test
    void shouldReturnExactlyTheWrittenRegionsWhenBitmapIsRotatedAndExported() throws Exception {
        qmp.addBitmap(QemuStorageDaemon.NODE, "b0", true);
        daemon.write("disk", 0x11, 2 * MIB, 64 * KIB);
        daemon.write("disk", 0x22, 7 * MIB + 100 * KIB, 4 * KIB); // inside the granule [7M+64K, 7M+128K)
        daemon.write("disk", 0x33, 12 * MIB, 128 * KIB);
        // rotation as QEMU allows it: drop the export, freeze b0 and start b1 atomically, export b0 read-only
        qmp.deleteExport("e");
        qmp.rotateBitmap(QemuStorageDaemon.NODE, "b0", "b1");
        qmp.addNbdExport("frozen", QemuStorageDaemon.NODE, "frozen", false, "b0");
        qmp.addNbdExport("w", QemuStorageDaemon.NODE, "w", true, null);
        daemon.write("w", 0x44, 9 * MIB, 64 * KIB); // after the rotation: b1's, not b0's

        try (NbdBlockSource source = NbdBlockSource.open(daemon.address("frozen"), "b0", Duration.ofSeconds(30))) {
            final DirtyExtents dirty = source.dirtyExtents();
            assertEquals(DirtyExtents.of(SIZE, 2 * MIB, 2 * MIB + 64 * KIB, 7 * MIB + 64 * KIB,
                    7 * MIB + 128 * KIB, 12 * MIB, 12 * MIB + 128 * KIB).toString(), dirty.toString());
            assertEquals(256 * KIB, dirty.dirtyBytes());
            // and what the dirty ranges hold is what was written
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment buffer = arena.allocate(128 * KIB, 4096);
                source.read(buffer, 12 * MIB, (int) (128 * KIB));
                final MemorySegment pattern = arena.allocate(128 * KIB).fill((byte) 0x33);
                assertEquals(-1, buffer.mismatch(pattern));
            }
        }
        final Map<String, Object> b1 = bitmap("b1");
        assertEquals(64 * KIB, ((Number) b1.get("count")).longValue(), "b1 records the write after rotation");
        assertEquals(Boolean.TRUE, b1.get("recording"));
        assertEquals(Boolean.FALSE, bitmap("b0").get("recording"));
    }

    @Test
    void shouldNameTheBitmapWhenExportDoesNotCarryIt() throws Exception {
        final IOException e = assertThrows(IOException.class,
                () -> NbdBlockSource.open(daemon.address(), "nope", Duration.ofSeconds(30)).close());
        assertTrue(e.getMessage().contains("qemu:dirty-bitmap:nope"), e.getMessage());
    }

    @Test
    void shouldFailWithQemuReasonWhenEnabledBitmapGoesOnReadOnlyExport() throws Exception {
        qmp.addBitmap(QemuStorageDaemon.NODE, "live", true);
        final QmpException e = assertThrows(QmpException.class,
                () -> qmp.addNbdExport("ro", QemuStorageDaemon.NODE, "ro", false, "live"));
        assertTrue(e.getMessage().contains("block-export-add") && e.getMessage().contains("readonly"),
                e.getMessage());
        assertEquals("GenericError", e.errorClass());
    }

    @Test
    void shouldRefuseToDisableBitmapWhenExportUsesIt() throws Exception {
        qmp.addBitmap(QemuStorageDaemon.NODE, "b0", true);
        qmp.addNbdExport("x", QemuStorageDaemon.NODE, "x", true, "b0");
        final QmpException e = assertThrows(QmpException.class,
                () -> qmp.rotateBitmap(QemuStorageDaemon.NODE, "b0", "b1"));
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
        assertTrue(qmp.dirtyBitmaps(QemuStorageDaemon.NODE).stream().noneMatch(b -> "b1".equals(b.get("name"))),
                "the transaction must not have added b1");
    }

    @Test
    void shouldReportServerErrorAndStayUsableWhenReadIsRefused() throws Exception {
        try (Arena arena = Arena.ofConfined(); NbdClient client = NbdClient.connect(daemon.address(), List.of())) {
            final MemorySegment buffer = arena.allocate(64 * KIB, 4096);
            assertThrows(IllegalArgumentException.class, () -> client.read(buffer, SIZE - 4096, 8192));
            client.read(buffer, 0, 4096);
            assertEquals(0, buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        }
    }

    private Map<String, Object> bitmap(final String name) throws IOException {
        for (Map<String, Object> b : qmp.dirtyBitmaps(QemuStorageDaemon.NODE)) {
            if (name.equals(b.get("name"))) {
                return b;
            }
        }
        throw new AssertionError("no bitmap " + name + " in " + qmp.dirtyBitmaps(QemuStorageDaemon.NODE));
    }

}
