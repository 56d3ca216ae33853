package io.cairn.format.point;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.FormatFixtures;
import io.cairn.format.FormatTooNewException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.cairn.format.FormatFixtures.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FORMAT.md 3 and 3.1 for point files: every byte is checksummed; hostile header values are refused. */
class PointCorruptionTest {
    private static final int[] MASKS = {0x01, 0x80, 0xFF};

    @TempDir
    Path dir;
    private byte[] original;
    private byte[] map;
    private byte[] manifest;
    private Path p;

    @BeforeEach
    void writePoint() throws IOException {
        final Path tmp = dir.resolve("orig.point");
        final int[] refs = {1, 0, 2, 3, 0, 1, 4, 5, 6, 0, 7, 8, 9, 10, 11, 0, 12, 13, 14, 15};
        FormatFixtures.writePoint(tmp, refs, FormatFixtures.manifest("id-1", "vm", 20L * BLOCK_SIZE));
        original = Files.readAllBytes(tmp);
        map = Arrays.copyOfRange(original, 64, 64 + refs.length * 16);
        manifest = FormatFixtures.manifest("id-1", "vm", 20L * BLOCK_SIZE).encode();
        p = dir.resolve("p.point");
        assertTrue(original.length < 1000, "a small point: " + original.length);
    }

    @Test
    void shouldDetectChangeWhenAnyByteOfPointFlipped() throws IOException {
        Files.write(p, original);
        int atOpen = 0;
        int atVerifyMap = 0;
        for (int offset = 0; offset < original.length; offset++) {
            for (int mask : MASKS) {
                FormatFixtures.writeByte(p, offset, (byte) (original[offset] ^ mask));
                try (PointReader r = PointReader.open(p)) {
                    final int o = offset;
                    assertThrows(CorruptRepositoryException.class, r::verifyMap, "flip at offset " + o);
                    assertTrue(offset >= 64 && offset < 64 + map.length, "only map bytes may pass open: " + o);
                    atVerifyMap++;
                } catch (CorruptRepositoryException e) {
                    atOpen++;
                }
            }
            FormatFixtures.writeByte(p, offset, original[offset]);
        }
        assertEquals(original.length * MASKS.length, atOpen + atVerifyMap);
        assertEquals(map.length * MASKS.length, atVerifyMap);
    }

    @Test
    void shouldDetectTruncationWhenPointCutAtEveryLength() throws IOException {
        for (int length = 0; length < original.length; length++) {
            Files.write(p, Arrays.copyOf(original, length));
            final int l = length;
            assertThrows(CorruptRepositoryException.class, () -> PointReader.open(p).close(), "length " + l);
        }
        Files.write(p, Arrays.copyOf(original, original.length + 1));
        assertThrows(CorruptRepositoryException.class, () -> PointReader.open(p).close(), "one byte appended");
    }

    @Test
    void shouldOpenWhenIndependentEncodingIsConsistent() throws IOException {
        Files.write(p, new PointBytes(BLOCK_SIZE, 20L * BLOCK_SIZE, map, manifest).build());
        try (PointReader r = PointReader.open(p)) {
            r.verifyMap();
            assertEquals(20, r.blockCount());
        }
    }

    @Test
    void shouldRejectWhenBlockCountInconsistentWithVirtualSize() throws IOException {
        // 20 map entries, but the virtual size needs 21 (or 19) blocks; everything else is consistent
        for (long virtualSize : new long[]{20L * BLOCK_SIZE + 1, 19L * BLOCK_SIZE, 0}) {
            assertHeaderRejected(new PointBytes(BLOCK_SIZE, virtualSize, map, manifest));
        }
    }

    @Test
    void shouldRejectWhenVirtualSizeOverflowsOrIsNegative() throws IOException {
        for (long virtualSize : new long[]{Long.MAX_VALUE, Long.MAX_VALUE - BLOCK_SIZE + 2, -1L, Long.MIN_VALUE}) {
            final PointBytes pb = new PointBytes(BLOCK_SIZE, virtualSize, map, manifest);
            pb.blockCount = (virtualSize + BLOCK_SIZE - 1) / BLOCK_SIZE; // what an overflowing ceil would give
            pb.manifestOffset = 64 + pb.blockCount * 16;
            assertHeaderRejected(pb);
        }
    }

    @Test
    void shouldRejectWhenManifestLongerThanOneMebibyte() throws IOException {
        final byte[] big = ("k=" + "x".repeat((1 << 20) - 2) + "\n").getBytes();
        assertEquals((1 << 20) + 1, big.length);
        assertHeaderRejected(new PointBytes(BLOCK_SIZE, 20L * BLOCK_SIZE, map, big)); // consistent but too long
        final PointBytes lying = new PointBytes(BLOCK_SIZE, 20L * BLOCK_SIZE, map, manifest);
        lying.manifestLength = 0xFFFF_FFFFL;
        assertHeaderRejected(lying);
    }

    @Test
    void shouldRejectWhenBlockSizeOrOffsetsOrHeaderLengthInvalid() throws IOException {
        final PointBytes smallBlocks = new PointBytes(4096, 20L * 4096, map, manifest);
        assertHeaderRejected(smallBlocks);
        final PointBytes odd = new PointBytes(3 * 65536, 20L * 3 * 65536, map, manifest);
        assertHeaderRejected(odd);
        final PointBytes offset = new PointBytes(BLOCK_SIZE, 20L * BLOCK_SIZE, map, manifest);
        offset.manifestOffset++;
        assertHeaderRejected(offset);
        final PointBytes headerLength = new PointBytes(BLOCK_SIZE, 20L * BLOCK_SIZE, map, manifest);
        headerLength.headerLength = 65;
        assertHeaderRejected(headerLength);
    }

    @Test
    void shouldThrowFormatTooNewWhenHeaderVersionIsTwoWithValidCrc() throws IOException {
        final PointBytes v2 = new PointBytes(BLOCK_SIZE, 20L * BLOCK_SIZE, map, manifest);
        v2.version = 2;
        Files.write(p, v2.build());
        final FormatTooNewException e = assertThrows(FormatTooNewException.class, () -> PointReader.open(p));
        assertTrue(e.getMessage().contains("version 2") && e.getMessage().contains("(1)"), e.getMessage());
    }

    private void assertHeaderRejected(final PointBytes pb) throws IOException {
        Files.write(p, pb.build());
        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> PointReader.open(p).close());
        assertTrue(e.getMessage().contains("restore point header bounds are inconsistent")
                || e.getMessage().contains("header length"), e.getMessage());
    }
}
