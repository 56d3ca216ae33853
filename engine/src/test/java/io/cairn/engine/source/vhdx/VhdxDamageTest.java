package io.cairn.engine.source.vhdx;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.cairn.engine.source.vhdx.VhdxFixtures.MIB;
import static io.cairn.engine.source.vhdx.VhdxFixtures.assumeQemuImg;
import static io.cairn.engine.source.vhdx.VhdxFixtures.content;
import static io.cairn.engine.source.vhdx.VhdxFixtures.currentHeaderOffset;
import static io.cairn.engine.source.vhdx.VhdxFixtures.patchSealed;
import static io.cairn.engine.source.vhdx.VhdxFixtures.qemuImg;
import static io.cairn.engine.source.vhdx.VhdxFixtures.readAll;
import static io.cairn.engine.source.vhdx.VhdxFixtures.readAt;
import static io.cairn.engine.source.vhdx.VhdxFixtures.region;
import static io.cairn.engine.source.vhdx.VhdxFixtures.writeAt;
import static io.cairn.engine.source.vhdx.VhdxFixtures.writeRaw;
import static io.cairn.engine.source.vhdx.VhdxLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged and hostile VHDX files: the other copy is used when one is bad, else a clear one-line error. */
class VhdxDamageTest {
    @TempDir
    Path dir;
    private byte[] raw;
    private Path vhdx;

    @BeforeEach
    void setUp() throws Exception {
        assumeQemuImg();
        raw = content(16, new int[]{0, 5, 12}, -1, 21);
        final Path rawFile = writeRaw(dir.resolve("d.raw"), raw);
        vhdx = dir.resolve("d.vhdx");
        qemuImg("convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", rawFile.toString(), vhdx.toString());
    }

    private void flipByte(final long offset) throws Exception {
        final MemorySegment b = readAt(vhdx, offset, 1);
        b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) (b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) ^ 0x40));
        writeAt(vhdx, offset, b.asByteBuffer());
    }

    private CorruptVhdxException refused() {
        final CorruptVhdxException e = assertThrows(CorruptVhdxException.class, () -> VhdxBlockSource.open(vhdx));
        assertTrue(e.getMessage().contains(vhdx.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void shouldUseOtherHeaderWhenCurrentHeaderHasFlippedByte() throws Exception {
        flipByte(currentHeaderOffset(vhdx) + 100);
        try (VhdxBlockSource s = VhdxBlockSource.open(vhdx)) {
            assertArrayEquals(raw, readAll(s, 1 << 20));
        }
    }

    @Test
    void shouldRefuseWhenBothHeadersAreDamaged() throws Exception {
        flipByte(HEADER1_OFFSET + 20);
        flipByte(HEADER2_OFFSET + 20);
        assertTrue(refused().getMessage().contains("both headers are invalid"));
    }

    @Test
    void shouldUseSecondRegionTableWhenFirstIsDamaged() throws Exception {
        flipByte(REGION1_OFFSET + 40);
        try (VhdxBlockSource s = VhdxBlockSource.open(vhdx)) {
            assertArrayEquals(raw, readAll(s, 1 << 20));
        }
    }

    @Test
    void shouldRefuseWhenRegionTableCountIsHuge() throws Exception {
        for (long t : new long[]{REGION1_OFFSET, REGION2_OFFSET}) {
            patchSealed(vhdx, t, (int) REGION_LENGTH, s -> s.set(U32, R_COUNT, 0x7FFFFFFF));
        }
        assertTrue(refused().getMessage().contains("entry count 2147483647 exceeds 2047"));
    }

    @Test
    void shouldRefuseWhenBatEntryPointsBeyondEndOfFile() throws Exception {
        final long bat = region(vhdx, BAT_REGION)[0];
        final ByteBuffer e = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        e.putLong(0, (1L << 40) | PAYLOAD_FULLY_PRESENT);
        writeAt(vhdx, bat + 8 * 5, e);
        final CorruptVhdxException ex = refused();
        assertTrue(ex.getMessage().contains("payload block 5") && ex.getMessage().contains("outside the file"),
                ex.getMessage());
    }

    @Test
    void shouldRefuseWhenBlockSizeIsAbsurd() throws Exception {
        final long meta = region(vhdx, METADATA_REGION)[0];
        final MemorySegment t = readAt(vhdx, meta, 64 * 1024 + 64);
        long item = -1;
        for (int i = 0; i < t.get(U16, M_COUNT); i++) {
            if (guid(t, M_ENTRIES + i * M_ENTRY_LENGTH).equals(FILE_PARAMETERS)) {
                item = meta + (t.get(U32, M_ENTRIES + i * M_ENTRY_LENGTH + 16) & 0xFFFFFFFFL);
            }
        }
        final ByteBuffer b = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 0x80000000);
        writeAt(vhdx, item, b);
        assertTrue(refused().getMessage().contains("block size 2147483648 is not a power of two between"));
    }

    @Test
    void shouldRefuseWhenFileIsTruncatedBelowItsBlocks() throws Exception {
        try (var ch = java.nio.channels.FileChannel.open(vhdx, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(vhdx) - MIB);
        }
        assertTrue(refused().getMessage().contains("outside the file"));
    }

    @Test
    void shouldRefuseWhenSignatureIsMissing() throws Exception {
        flipByte(0);
        assertTrue(refused().getMessage().contains("vhdxfile"));
    }
}
