package io.cairn.engine.source.vhdx;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cairn.engine.source.vhdx.VhdxFixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VHDX files made by qemu-img (dynamic and fixed) read through VhdxBlockSource, compared with the raw image. */
class VhdxBlockSourceTest {
    private static final int[] DATA_MIB = {0, 1, 9, 10, 11, 30};

    @TempDir
    Path dir;
    private byte[] raw;
    private Path rawFile;

    @BeforeEach
    void setUp() throws Exception {
        assumeQemuImg();
        // 40 MiB: data in MiB 0-1, 9-11, 30; one sector of data in MiB 20; the rest zero
        raw = content(40, DATA_MIB, 20, 7);
        rawFile = writeRaw(dir.resolve("disk.raw"), raw);
    }

    @Test
    void shouldReadDynamicVhdxExactlyWhenMadeByQemuImgConvert() throws Exception {
        final Path vhdx = dir.resolve("d.vhdx");
        qemuImg("convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", rawFile.toString(), vhdx.toString());
        try (VhdxBlockSource s = VhdxBlockSource.open(vhdx)) {
            assertEquals(raw.length, s.size());
            assertArrayEquals(raw, readAll(s, 1 << 20));
            assertArrayEquals(raw, readAll(s, 3 * 4096 + 512), "reads crossing payload blocks");
        }
    }

    @Test
    void shouldReportUnallocatedBlocksAsHolesWhenQemuSkippedZeros() throws Exception {
        final Path vhdx = dir.resolve("d.vhdx");
        qemuImg("convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", rawFile.toString(), vhdx.toString());
        try (VhdxBlockSource s = VhdxBlockSource.open(vhdx)) {
            final List<long[]> e = extents(s);
            assertEquals("[0, 2097152) [9437184, 12582912) [20971520, 22020096) [31457280, 32505856)", text(e));
            assertEquals(7 * MIB, s.reader().allocatedBytes());
            assertEquals(-1, s.nextData(31 * MIB));
        }
    }

    @Test
    void shouldReadFixedVhdxExactlyWhenMadeWithSubformatFixed() throws Exception {
        final Path vhdx = dir.resolve("f.vhdx");
        qemuImg("convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=fixed,block_state_zero=off",
                rawFile.toString(), vhdx.toString());
        try (VhdxBlockSource s = VhdxBlockSource.open(vhdx)) {
            assertArrayEquals(raw, readAll(s, 1 << 20));
            assertTrue(Files.size(vhdx) >= raw.length, "a fixed disk holds every block");
        }
    }

    @Test
    void shouldReadOnlyZerosAndReportNoDataWhenDiskIsFreshlyCreated() throws Exception {
        final Path vhdx = dir.resolve("empty.vhdx");
        qemuImg("create", "-f", "vhdx", vhdx.toString(), "64M");
        try (VhdxBlockSource s = VhdxBlockSource.open(vhdx)) {
            assertEquals(64 * MIB, s.size());
            assertEquals(-1, s.nextData(0));
            assertEquals(0, s.nextHole(0));
            assertArrayEquals(new byte[(int) (64 * MIB)], readAll(s, 1 << 20));
        }
    }

    @Test
    void shouldSeeQemuIoWritesWhenBlocksAreAllocatedLater() throws Exception {
        final Path vhdx = dir.resolve("w.vhdx");
        qemuImg("create", "-f", "vhdx", "-o", "block_state_zero=off", vhdx.toString(), "64M");
        assumeTrueQemuIo();
        io.cairn.engine.TestSystem.run("qemu-io", "-f", "vhdx", "-c", "write -P 0xab 8M 4k", "-c",
                "write -P 0xcd 40M 1M", vhdx.toString());
        try (VhdxBlockSource s = VhdxBlockSource.open(vhdx)) {
            final byte[] all = readAll(s, 1 << 20);
            for (int i = 0; i < all.length; i++) {
                final byte want = (i >= 8 * MIB && i < 8 * MIB + 4096) ? (byte) 0xab
                        : (i >= 40 * MIB && i < 41 * MIB) ? (byte) 0xcd : 0;
                if (all[i] != want) {
                    throw new AssertionError("byte " + i + " = " + all[i] + ", expected " + want);
                }
            }
            assertEquals("[8388608, 16777216) [41943040, 50331648)", text(extents(s)));
        }
    }

    @Test
    void shouldRecogniseVhdxBySignatureWhenAskedAboutFiles() throws Exception {
        final Path vhdx = dir.resolve("d.vhdx");
        qemuImg("create", "-f", "vhdx", vhdx.toString(), "8M");
        assertTrue(VhdxBlockSource.isVhdx(vhdx));
        assertFalse(VhdxBlockSource.isVhdx(rawFile));
        assertFalse(VhdxBlockSource.isVhdx(dir));
        final Path tiny = Files.write(dir.resolve("tiny"), new byte[]{'v', 'h'});
        assertFalse(VhdxBlockSource.isVhdx(tiny));
    }

    private static void assumeTrueQemuIo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.cairn.engine.TestSystem.hasCommand("qemu-io"),
                "qemu-io is not installed");
    }

    static String text(final List<long[]> extents) {
        final StringBuilder sb = new StringBuilder();
        for (long[] e : extents) {
            sb.append('[').append(e[0]).append(", ").append(e[1]).append(") ");
        }
        return sb.toString().strip();
    }
}
