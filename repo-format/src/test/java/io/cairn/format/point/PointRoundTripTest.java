package io.cairn.format.point;

import io.cairn.format.FormatFixtures;
import io.cairn.format.MagicNumbers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.cairn.format.FormatFixtures.BLOCK_SIZE;
import static io.cairn.format.FormatFixtures.crc32c;
import static io.cairn.format.FormatFixtures.idHi;
import static io.cairn.format.FormatFixtures.idLo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** PointWriter → PointReader, and the written bytes compared with an encoder written from FORMAT.md 5. */
class PointRoundTripTest {
    @TempDir
    Path dir;

    /** Block n of the test disk: zero for every 7th block, else test id n + 1. */
    private static boolean isZero(final long n) {
        return n % 7 == 3;
    }

    private static Manifest fullManifest() {
        final Manifest m = new Manifest();
        final String[] keys = {Manifest.ID, Manifest.DISK, Manifest.TYPE, Manifest.PARENT, Manifest.CREATED,
                Manifest.STARTED, Manifest.VIRTUAL_SIZE, Manifest.BLOCK_SIZE, Manifest.SOURCE, Manifest.SOURCE_IDENTITY,
                Manifest.REPOSITORY_ID, Manifest.CHANGE_DETECTION, Manifest.BLOCKS_TOTAL, Manifest.BLOCKS_ZERO,
                Manifest.BLOCKS_CHANGED, Manifest.BLOCKS_NEW, Manifest.BYTES_READ, Manifest.BYTES_NEW_RAW,
                Manifest.BYTES_STORED, Manifest.DURATION_MS, Manifest.CAIRN_VERSION};
        for (String k : keys) {
            m.put(k, "value of " + k + " ü");
        }
        return m.put(Manifest.PARENT, "").put("future_key", "kept");
    }

    private Path write(final long virtualSize, final Manifest manifest) throws IOException {
        final Path p = dir.resolve("p.point.tmp");
        try (PointWriter w = PointWriter.create(p, BLOCK_SIZE, virtualSize)) {
            for (long n = 0; n < w.blockCount(); n++) {
                if (isZero(n)) {
                    w.putZeros(1);
                } else {
                    w.putEntry(idHi((int) n + 1), idLo((int) n + 1));
                }
            }
            assertEquals(w.blockCount(), w.entries());
            w.finish(manifest);
        }
        return p;
    }

    private static void assertReadsBack(final Path p, final long virtualSize, final Manifest manifest)
            throws IOException {
        try (PointReader r = PointReader.open(p)) {
            r.verifyMap();
            assertEquals(BLOCK_SIZE, r.blockSize());
            assertEquals(virtualSize, r.virtualSize());
            assertEquals((virtualSize + BLOCK_SIZE - 1) / BLOCK_SIZE, r.blockCount());
            assertEquals(manifest.asMap(), r.manifest().asMap());
            for (long n = 0; n < r.blockCount(); n++) {
                assertEquals(isZero(n) ? 0 : idHi((int) n + 1), r.idHi(n), "hi of block " + n);
                assertEquals(isZero(n) ? 0 : idLo((int) n + 1), r.idLo(n), "lo of block " + n);
            }
            assertEquals(r.blockCount() * 16, r.map().byteSize());
        }
    }

    @Test
    void shouldReadBackEveryEntryAndManifestWhenThousandsOfBlocksWritten() throws IOException {
        final long virtualSize = 3000L * BLOCK_SIZE - 123; // last block short
        final Manifest m = fullManifest();
        assertReadsBack(write(virtualSize, m), virtualSize, m);
    }

    @Test
    void shouldReadBackWhenMapLargerThanOneMebibyteBuffer() throws IOException {
        final long virtualSize = 70_000L * BLOCK_SIZE;
        final Manifest m = FormatFixtures.manifest("x", "d", virtualSize);
        final Path p = write(virtualSize, m);
        assertEquals(64 + 70_000 * 16 + m.encode().length + 32, Files.size(p));
        assertReadsBack(p, virtualSize, m);
    }

    @Test
    void shouldReadBackWhenDiskIsEmpty() throws IOException {
        final Manifest m = new Manifest().put(Manifest.ID, "empty");
        final Path p = write(0, m);
        assertReadsBack(p, 0, m);
        assertEquals(64 + m.encode().length + 32, Files.size(p));
    }

    @Test
    void shouldEqualIndependentSpecEncodingWhenBytesCompared() throws IOException {
        final long virtualSize = 40L * BLOCK_SIZE + 5;
        final Manifest m = fullManifest();
        final byte[] written = Files.readAllBytes(write(virtualSize, m));
        final ByteBuffer map = ByteBuffer.allocate(41 * 16).order(ByteOrder.BIG_ENDIAN);
        for (int n = 0; n < 41; n++) {
            map.putLong(isZero(n) ? 0 : idHi(n + 1)).putLong(isZero(n) ? 0 : idLo(n + 1));
        }
        final byte[] expected = new PointBytes(BLOCK_SIZE, virtualSize, map.array(), m.encode()).build();
        assertArrayEquals(expected, written);
        // and a few fields spelled out from the tables
        final ByteBuffer b = FormatFixtures.le(written);
        assertArrayEquals(MagicNumbers.magicBytes("cairn point v1"), Arrays.copyOf(written, 8));
        assertEquals(41, b.getLong(24));
        assertEquals(64 + 41 * 16, b.getLong(32));
        assertEquals(m.encode().length, b.getInt(40));
        assertEquals(crc32c(written, 0, 60), b.getInt(60));
        assertEquals(written.length, b.getLong(written.length - 32 + 8));
    }

    @Test
    void shouldReplaceNewlinesAndKeepUnknownKeysWhenManifestEncoded() {
        final Manifest m = new Manifest().put("source", "a\nb\rc").put("zz_new", 42);
        final byte[] bytes = m.encode();
        assertEquals("source=a b c\nzz_new=42\n", new String(bytes, StandardCharsets.UTF_8));
        final Manifest back = Manifest.decode(bytes);
        assertEquals("a b c", back.get("source"));
        assertEquals(42, back.getLong("zz_new", -1));
        assertEquals(-1, back.getLong("source", -1));
        assertEquals("fallback", back.get("missing", "fallback"));
        assertThrows(IllegalArgumentException.class, () -> m.put("a=b", "x"));
        assertThrows(IllegalArgumentException.class, () -> m.put("", "x"));
    }

    @Test
    void shouldRefuseWrongEntryCountsWhenWriting() throws IOException {
        final Path p = dir.resolve("bad.point.tmp");
        try (PointWriter w = PointWriter.create(p, BLOCK_SIZE, 2L * BLOCK_SIZE)) {
            w.putEntry(1, 1);
            assertThrows(IllegalStateException.class, () -> w.finish(new Manifest()));
            w.putEntry(2, 2);
            assertThrows(IllegalStateException.class, () -> w.putEntry(3, 3));
        }
        assertFalse(Files.exists(p), "an unfinished point is deleted on close");
    }

    @Test
    void shouldRefuseManifestWhenLongerThanOneMebibyte() throws IOException {
        final Path p = dir.resolve("big.point.tmp");
        try (PointWriter w = PointWriter.create(p, BLOCK_SIZE, 0)) {
            final Manifest m = new Manifest().put("k", "x".repeat(1 << 20));
            assertThrows(IllegalArgumentException.class, () -> w.finish(m));
        }
    }

    /**
     * Writes blocks in the order a striped backup produces: {@code stripes} ascending sequences interleaved one
     * entry at a time (runs of zero entries taken whole), then checks bytes and CRC against the in-order file.
     */
    private Path writeInterleaved(final long virtualSize, final int stripes, final Manifest manifest)
            throws IOException {
        final Path p = dir.resolve("striped-" + stripes + ".point.tmp");
        try (PointWriter w = PointWriter.create(p, BLOCK_SIZE, virtualSize)) {
            final long count = w.blockCount();
            final long length = (count + stripes - 1) / stripes;
            final long[] next = new long[stripes];
            for (int s = 0; s < stripes; s++) {
                next[s] = s * length;
            }
            boolean more = true;
            while (more) {
                more = false;
                for (int s = 0; s < stripes; s++) {
                    final long end = Math.min(count, (s + 1) * length);
                    if (next[s] >= end) {
                        continue;
                    }
                    more = true;
                    final long b = next[s];
                    if (isZero(b)) {
                        long n = 1;
                        while (b + n < end && isZero(b + n)) {
                            n++;
                        }
                        w.putZerosAt(b, n);
                        next[s] = b + n;
                    } else {
                        w.putEntryAt(b, idHi((int) b + 1), idLo((int) b + 1));
                        next[s] = b + 1;
                    }
                }
            }
            assertEquals(count, w.entries());
            w.finish(manifest);
        }
        return p;
    }

    @Test
    void shouldWriteSameBytesWhenEntriesComeInInterleavedStripes() throws IOException {
        final long virtualSize = 70_000L * BLOCK_SIZE - 77; // map larger than a lane, last block short
        final Manifest m = fullManifest();
        final byte[] inOrder = Files.readAllBytes(write(virtualSize, m));
        for (int stripes : new int[] {2, 5, PointWriter.LANES, PointWriter.LANES + 3}) { // more stripes than lanes
            final Path p = writeInterleaved(virtualSize, stripes, m);
            assertArrayEquals(inOrder, Files.readAllBytes(p), stripes + " stripes");
            assertReadsBack(p, virtualSize, m);
        }
    }

    @Test
    void shouldRefuseSecondEntryForOneBlockWhenWritingOutOfOrder() throws IOException {
        final Path p = dir.resolve("twice.point.tmp");
        try (PointWriter w = PointWriter.create(p, BLOCK_SIZE, 10L * BLOCK_SIZE)) {
            w.putEntryAt(0, 1, 1);
            w.putEntryAt(1, 2, 2);
            w.putEntryAt(5, 6, 6);
            assertThrows(IllegalStateException.class, () -> w.putEntryAt(1, 9, 9), "in-order block written again");
            assertThrows(IllegalStateException.class, () -> w.putZerosAt(4, 2), "out-of-order block again");
            assertThrows(IllegalStateException.class, () -> w.putEntryAt(10, 1, 1), "past the map");
            assertThrows(IllegalStateException.class, () -> w.putEntryAt(-1, 1, 1), "before the map");
        }
        assertFalse(Files.exists(p));
    }
}
