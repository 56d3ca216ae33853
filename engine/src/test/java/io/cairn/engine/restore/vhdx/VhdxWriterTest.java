package io.cairn.engine.restore.vhdx;

import io.cairn.engine.source.vhdx.VhdxBlockSource;
import io.cairn.nativeio.AlignedBuffers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.cairn.engine.source.vhdx.VhdxFixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VhdxWriter output checked by qemu-img (check, compare) and by our own reader. */
class VhdxWriterTest {
    @TempDir
    Path dir;

    private Path restore(final byte[] raw, final long blockSize, final int chunk) throws Exception {
        final Path out = dir.resolve("out.vhdx");
        try (Arena arena = Arena.ofConfined(); VhdxWriter w = VhdxWriter.create(out, raw.length, blockSize)) {
            final MemorySegment buf = AlignedBuffers.allocate(arena, chunk);
            for (long off = 0; off < raw.length; off += chunk) {
                final int n = (int) Math.min(chunk, raw.length - off);
                MemorySegment.copy(MemorySegment.ofArray(raw), off, buf, 0, n);
                w.write(off, buf, n);
            }
        }
        return out;
    }

    @Test
    void shouldPassQemuImgCheckAndCompareWhenWrittenFromRaw() throws Exception {
        assumeQemuImg();
        final byte[] raw = content(40, new int[]{0, 1, 9, 10, 11, 30}, 20, 3);
        final Path rawFile = writeRaw(dir.resolve("disk.raw"), raw);
        final Path out = restore(raw, MIB, 256 * 1024);
        final StringBuilder log = new StringBuilder();
        assertEquals(0, qemuImgStatus(log, "check", "-f", "vhdx", out.toString()), log.toString());
        assertEquals(0, qemuImgStatus(log, "compare", "-f", "raw", "-F", "vhdx", rawFile.toString(), out.toString()),
                log.toString());
        // payload only for the 7 MiB blocks holding data: header area, BAT and metadata (4 MiB) plus 7 blocks
        assertEquals(4 * MIB + 7 * MIB, Files.size(out));
    }

    @Test
    void shouldReadBackThroughVhdxBlockSourceWhenBlocksAreLargerThanWrites() throws Exception {
        final byte[] raw = content(40, new int[]{2, 17, 39}, 25, 5);
        final Path out = restore(raw, 8 * MIB, 1 << 20);
        try (VhdxBlockSource s = VhdxBlockSource.open(out)) {
            assertArrayEquals(raw, readAll(s, 1 << 20));
            assertEquals(4 * 8 * MIB, s.reader().allocatedBytes()); // blocks 0, 2, 3, 4 (MiB 2, 17, 25, 39)
        }
    }

    @Test
    void shouldRoundVirtualSizeUpToSectorWhenRawSizeIsOdd() throws Exception {
        assumeQemuImg();
        final byte[] raw = new byte[(int) (3 * MIB + 1000)];
        raw[(int) (3 * MIB + 999)] = 9;
        raw[5] = 1;
        final Path rawFile = writeRaw(dir.resolve("odd.raw"), raw);
        final Path out = restore(raw, MIB, 4096);
        final StringBuilder log = new StringBuilder();
        assertEquals(0, qemuImgStatus(log, "check", "-f", "vhdx", out.toString()), log.toString());
        assertEquals(0, qemuImgStatus(log, "compare", "-f", "raw", "-F", "vhdx", rawFile.toString(), out.toString()),
                log.toString());
    }

    @Test
    void shouldRejectBlockSizeWhenNotPowerOfTwoInRange() {
        assertThrows(IllegalArgumentException.class, () -> VhdxWriter.create(dir.resolve("x.vhdx"), MIB, 3 * MIB));
        assertThrows(IllegalArgumentException.class, () -> VhdxWriter.create(dir.resolve("x.vhdx"), MIB, 512 * MIB));
    }

    @Test
    void shouldLeaveUnreadableFileWhenAbandoned() throws Exception {
        final Path out = dir.resolve("partial.vhdx");
        final VhdxWriter w = VhdxWriter.create(out, 8 * MIB, MIB);
        w.abandon();
        final var e = assertThrows(java.io.IOException.class, () -> VhdxBlockSource.open(out));
        assertTrue(e.getMessage().contains("both headers are invalid"), e.getMessage());
    }
}
