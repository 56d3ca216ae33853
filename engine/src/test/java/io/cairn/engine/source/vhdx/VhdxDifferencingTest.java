package io.cairn.engine.source.vhdx;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static io.cairn.engine.source.vhdx.VhdxFixtures.assumeQemuImg;
import static io.cairn.engine.source.vhdx.VhdxFixtures.content;
import static io.cairn.engine.source.vhdx.VhdxFixtures.extents;
import static io.cairn.engine.source.vhdx.VhdxFixtures.parentLocator;
import static io.cairn.engine.source.vhdx.VhdxFixtures.qemuImg;
import static io.cairn.engine.source.vhdx.VhdxFixtures.readAll;
import static io.cairn.engine.source.vhdx.VhdxFixtures.writeRaw;
import static io.cairn.engine.source.vhdx.VhdxLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A differencing child written by hand (qemu-img cannot make one) over a qemu-img-made parent: block 0 not present
 * (parent), block 1 fully present, block 2 partially present with a sector bitmap, block 3 ZERO over parent data.
 */
class VhdxDifferencingTest {
    private static final long BS = MIB;

    @TempDir
    Path dir;
    private byte[] parentRaw;
    private Path parent;

    @BeforeEach
    void setUp() throws Exception {
        assumeQemuImg();
        parentRaw = content(8, new int[]{0, 2, 3, 6}, -1, 11);
        final Path raw = writeRaw(dir.resolve("parent.raw"), parentRaw);
        parent = dir.resolve("parent.vhdx");
        qemuImg("convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", raw.toString(), parent.toString());
    }

    /** Writes the child; returns the expected virtual disk. */
    private byte[] writeChild(final Path child, final String linkage, final String relativePath) throws Exception {
        final byte[] file = new byte[(int) (7 * MIB)];
        final MemorySegment f = MemorySegment.ofArray(file);
        f.set(U64, 0, FILE_SIGNATURE);
        for (long h : new long[]{HEADER1_OFFSET, HEADER2_OFFSET}) {
            final MemorySegment s = f.asSlice(h, HEADER_LENGTH);
            s.set(U32, 0, HEADER_SIGNATURE);
            s.set(U64, H_SEQUENCE, h == HEADER1_OFFSET ? 10 : 9);
            putGuid(s, H_DATA_WRITE_GUID, UUID.randomUUID());
            s.set(U16, H_VERSION, (short) 1);
            s.set(U32, H_LOG_LENGTH, (int) MIB);
            s.set(U64, H_LOG_OFFSET, MIB);
            seal(s, HEADER_LENGTH);
        }
        final MemorySegment r = f.asSlice(REGION1_OFFSET, REGION_LENGTH);
        r.set(U32, 0, REGION_SIGNATURE);
        r.set(U32, R_COUNT, 2);
        putGuid(r, R_ENTRIES, BAT_REGION);
        r.set(U64, R_ENTRIES + 16, 2 * MIB);
        r.set(U32, R_ENTRIES + 24, (int) MIB);
        putGuid(r, R_ENTRIES + 32, METADATA_REGION);
        r.set(U64, R_ENTRIES + 48, 3 * MIB);
        r.set(U32, R_ENTRIES + 56, (int) MIB);
        seal(r, REGION_LENGTH);
        MemorySegment.copy(r, 0, f, REGION2_OFFSET, REGION_LENGTH);

        final MemorySegment m = f.asSlice(3 * MIB, MIB);
        m.set(U64, 0, METADATA_SIGNATURE);
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("parent_linkage", linkage);
        keys.put("relative_path", relativePath);
        keys.put("absolute_win32_path", "C:\\nowhere\\parent.vhdx");
        final byte[] locator = parentLocator(keys);
        final Object[][] items = {{FILE_PARAMETERS, 8}, {VIRTUAL_DISK_SIZE, 8}, {LOGICAL_SECTOR_SIZE, 4},
                {PHYSICAL_SECTOR_SIZE, 4}, {PARENT_LOCATOR, locator.length}};
        long at = M_ITEMS_MIN_OFFSET;
        for (int i = 0; i < items.length; i++) {
            final long e = M_ENTRIES + i * M_ENTRY_LENGTH;
            putGuid(m, e, (UUID) items[i][0]);
            m.set(U32, e + 16, (int) at);
            m.set(U32, e + 20, (int) items[i][1]);
            m.set(U32, e + 24, M_FLAG_REQUIRED);
            at += 64;
        }
        m.set(U16, M_COUNT, (short) items.length);
        m.set(U32, M_ITEMS_MIN_OFFSET, (int) BS);
        m.set(U32, M_ITEMS_MIN_OFFSET + 4, FP_HAS_PARENT);
        m.set(U64, M_ITEMS_MIN_OFFSET + 64, 8 * MIB);
        m.set(U32, M_ITEMS_MIN_OFFSET + 128, 512);
        m.set(U32, M_ITEMS_MIN_OFFSET + 192, 512);
        MemorySegment.copy(MemorySegment.ofArray(locator), 0, m, M_ITEMS_MIN_OFFSET + 256, locator.length);

        final byte[] expected = parentRaw.clone();
        final long ratio = chunkRatio(512, BS);
        final MemorySegment bat = f.asSlice(2 * MIB, MIB);
        bat.set(U64, bitmapEntryIndex(0, ratio) * 8, (4 * MIB) | SB_PRESENT);
        // block 1: fully present, pattern 0x11
        bat.set(U64, payloadEntryIndex(1, ratio) * 8, (5 * MIB) | PAYLOAD_FULLY_PRESENT);
        Arrays.fill(file, (int) (5 * MIB), (int) (6 * MIB), (byte) 0x11);
        Arrays.fill(expected, (int) MIB, (int) (2 * MIB), (byte) 0x11);
        // block 2: partially present: sectors 0-7, 100-299 and 2047 from the child (0x22), the rest from the parent
        bat.set(U64, payloadEntryIndex(2, ratio) * 8, (6 * MIB) | PAYLOAD_PARTIALLY_PRESENT);
        Arrays.fill(file, (int) (6 * MIB), (int) (7 * MIB), (byte) 0x22);
        final long bitBase = 2 * (BS / 512);
        for (int[] run : new int[][]{{0, 8}, {100, 300}, {2047, 2048}}) {
            for (int sector = run[0]; sector < run[1]; sector++) {
                final long bit = bitBase + sector;
                file[(int) (4 * MIB + bit / 8)] |= (byte) (1 << (bit % 8));
                Arrays.fill(expected, (int) (2 * MIB + sector * 512L), (int) (2 * MIB + (sector + 1) * 512L),
                        (byte) 0x22);
            }
        }
        // block 3: ZERO hides the parent's data
        bat.set(U64, payloadEntryIndex(3, ratio) * 8, PAYLOAD_ZERO);
        Arrays.fill(expected, (int) (3 * MIB), (int) (4 * MIB), (byte) 0);
        Files.write(child, file);
        return expected;
    }

    private String parentLinkage() throws Exception {
        try (VhdxReader r = VhdxReader.open(parent)) {
            return braced(r.dataWriteGuid());
        }
    }

    @Test
    void shouldReadParentPlusChildWhenBlocksArePartiallyPresent() throws Exception {
        final Path child = dir.resolve("child.avhdx");
        final byte[] expected = writeChild(child, parentLinkage(), ".\\parent.vhdx");
        try (VhdxBlockSource s = VhdxBlockSource.open(child)) {
            assertTrue(s.reader().hasParent());
            assertArrayEquals(expected, readAll(s, 1 << 20));
            assertArrayEquals(expected, readAll(s, 4096 + 512), "small reads crossing bitmap runs");
            // parent data in blocks 0, 2 (via child), 6; child blocks 1, 2; block 3 zero; 4, 5, 7 absent in both
            assertEquals("[0, 3145728) [6291456, 7340032)", VhdxBlockSourceTest.text(extents(s)));
        }
    }

    @Test
    void shouldRefuseChildWhenParentLinkageDoesNotMatch() throws Exception {
        final Path child = dir.resolve("child.avhdx");
        writeChild(child, braced(UUID.randomUUID()), "parent.vhdx");
        final CorruptVhdxException e = assertThrows(CorruptVhdxException.class, () -> VhdxBlockSource.open(child));
        assertTrue(e.getMessage().contains("parent_linkage"), e.getMessage());
    }

    @Test
    void shouldRefuseChildWhenParentIsMissing() throws Exception {
        final Path child = dir.resolve("child.avhdx");
        writeChild(child, parentLinkage(), "gone.vhdx");
        final CorruptVhdxException e = assertThrows(CorruptVhdxException.class, () -> VhdxBlockSource.open(child));
        assertTrue(e.getMessage().contains("parent disk not found"), e.getMessage());
    }

    @Test
    void shouldRefuseChainWhenChildIsItsOwnParent() throws Exception {
        final Path child = dir.resolve("loop.avhdx");
        writeChild(child, parentLinkage(), "loop.avhdx");
        final CorruptVhdxException e = assertThrows(CorruptVhdxException.class, () -> VhdxBlockSource.open(child));
        assertTrue(e.getMessage().contains("loops back"), e.getMessage());
    }
}
