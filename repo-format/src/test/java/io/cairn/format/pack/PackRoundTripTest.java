package io.cairn.format.pack;

import io.cairn.format.FormatFixtures;
import io.cairn.format.FormatFixtures.Rec;
import io.cairn.format.Hex;
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
import java.util.List;

import static io.cairn.format.FormatFixtures.BLOCK_SIZE;
import static io.cairn.format.FormatFixtures.crc32c;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PackWriter → PackReader/BlockRecordReader, and the sealed bytes parsed independently as FORMAT.md 4 says. */
class PackRoundTripTest {
    static final List<Rec> RECORDS = List.of(
            Rec.raw(1, 1),
            Rec.zstd(2, BLOCK_SIZE, 100),
            Rec.raw(3, BLOCK_SIZE),
            Rec.zstd(4, 5000, 5000),
            Rec.raw(5, 777),
            Rec.zstd(6, 1000, 1));

    @TempDir
    Path dir;

    @Test
    void shouldReadEveryRecordBackWhenPackSealed() throws IOException {
        final byte[] packId = FormatFixtures.packId(0);
        final SealedPack sealed = FormatFixtures.writePack(dir.resolve("p.pack.tmp"), packId, RECORDS);
        assertEquals(Hex.of(packId), sealed.packIdHex());
        assertEquals(RECORDS.size(), sealed.recordCount());
        assertEquals(Files.size(sealed.tmpPath()), sealed.length());

        final BlockRecordReader rr = new BlockRecordReader(BLOCK_SIZE);
        final ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK_SIZE);
        try (PackReader r = PackReader.open(sealed.tmpPath())) {
            assertEquals(RECORDS.size(), r.recordCount());
            assertArrayEquals(packId, r.packId());
            assertArrayEquals(Hex.parse(FormatFixtures.REPOSITORY_ID, 16), r.repositoryId());
            assertEquals(sealed.length(), r.fileLength());
            long expectedOffset = 64;
            for (int i = 0; i < RECORDS.size(); i++) {
                final Rec rec = RECORDS.get(i);
                assertEquals(rec.idHi(), r.idHi(i));
                assertEquals(rec.idLo(), r.idLo(i));
                assertEquals(expectedOffset, r.recordOffset(i));
                assertEquals(rec.rawLength(), r.rawLength(i));
                assertEquals(rec.stored().length, r.storedLength(i));

                rr.read(r.channel(), r.path(), r.recordOffset(i), buf);
                rr.requireId(r.path(), r.recordOffset(i), rec.idHi(), rec.idLo());
                assertEquals(rec.codec(), rr.codec());
                assertEquals(rec.rawLength(), rr.rawLength());
                assertEquals(rec.stored().length, rr.storedLength());
                final byte[] got = new byte[buf.remaining()];
                buf.get(got);
                assertArrayEquals(rec.stored(), got, "stored bytes of record " + i);
                expectedOffset += 40 + rec.stored().length;
            }
            assertEquals(expectedOffset, r.footerOffset());
        }
    }

    @Test
    void shouldMatchSpecLayoutWhenSealedBytesParsedIndependently() throws IOException {
        final byte[] packId = FormatFixtures.packId(1);
        final long before = System.currentTimeMillis();
        final SealedPack sealed = FormatFixtures.writePack(dir.resolve("p.pack.tmp"), packId, RECORDS);
        final long after = System.currentTimeMillis();
        final byte[] f = Files.readAllBytes(sealed.tmpPath());
        final ByteBuffer b = FormatFixtures.le(f);
        final byte[] magic = MagicNumbers.magicBytes("cairn pack v1");

        // 4.1 header
        assertArrayEquals(magic, Arrays.copyOfRange(f, 0, 8));
        assertEquals(1, b.getShort(8));
        assertEquals(64, b.getShort(10));
        assertEquals(0, b.getInt(12));
        assertArrayEquals(packId, Arrays.copyOfRange(f, 16, 32));
        assertArrayEquals(Hex.parse(FormatFixtures.REPOSITORY_ID, 16), Arrays.copyOfRange(f, 32, 48));
        final long created = b.getLong(48);
        assertTrue(created >= before && created <= after, "created " + created);
        assertEquals(0, b.getInt(56));
        assertEquals(crc32c(f, 0, 60), b.getInt(60));

        // 4.2 records, contiguous from 64
        int off = 64;
        for (Rec rec : RECORDS) {
            assertEquals("CREC", new String(f, off, 4, StandardCharsets.US_ASCII));
            assertEquals(rec.codec(), f[off + 4]);
            assertEquals(0, f[off + 5]);
            assertEquals(0, b.getShort(off + 6));
            assertEquals(rec.rawLength(), b.getInt(off + 8));
            assertEquals(rec.stored().length, b.getInt(off + 12));
            assertEquals(rec.idHi(), ByteBuffer.wrap(f, off + 16, 8).order(ByteOrder.BIG_ENDIAN).getLong());
            assertEquals(rec.idLo(), ByteBuffer.wrap(f, off + 24, 8).order(ByteOrder.BIG_ENDIAN).getLong());
            assertEquals(crc32c(rec.stored(), 0, rec.stored().length), b.getInt(off + 32));
            assertEquals(crc32c(f, off, 36), b.getInt(off + 36));
            assertArrayEquals(rec.stored(), Arrays.copyOfRange(f, off + 40, off + 40 + rec.stored().length));
            off += 40 + rec.stored().length;
        }

        // 4.3 footer
        final int footerOffset = off;
        int recordOffset = 64;
        for (int i = 0; i < RECORDS.size(); i++) {
            final Rec rec = RECORDS.get(i);
            final int e = footerOffset + i * 32;
            assertArrayEquals(Arrays.copyOfRange(f, recordOffset + 16, recordOffset + 32),
                    Arrays.copyOfRange(f, e, e + 16), "footer id equals the record header's");
            assertEquals(recordOffset, b.getLong(e + 16));
            assertEquals(rec.rawLength(), b.getInt(e + 24));
            assertEquals(rec.stored().length, b.getInt(e + 28));
            recordOffset += 40 + rec.stored().length;
        }

        // 4.4 trailer: the last 56 bytes
        final int t = f.length - 56;
        assertEquals(footerOffset + RECORDS.size() * 32, t);
        assertEquals(footerOffset, b.getLong(t));
        assertEquals(RECORDS.size(), b.getInt(t + 8));
        assertEquals(crc32c(f, footerOffset, RECORDS.size() * 32), b.getInt(t + 12));
        assertArrayEquals(packId, Arrays.copyOfRange(f, t + 16, t + 32));
        assertEquals(f.length, b.getLong(t + 32));
        assertArrayEquals(magic, Arrays.copyOfRange(f, t + 40, t + 48));
        assertEquals(0, b.getInt(t + 48));
        assertEquals(crc32c(f, t, 52), b.getInt(t + 52));
    }

    @Test
    void shouldOpenEmptyPackWhenSealedWithoutRecords() throws IOException {
        final SealedPack sealed = FormatFixtures.writePack(dir.resolve("e.pack.tmp"), FormatFixtures.packId(2),
                List.of());
        assertEquals(64 + 56, sealed.length());
        try (PackReader r = PackReader.open(sealed.tmpPath())) {
            assertEquals(0, r.recordCount());
            assertEquals(64, r.footerOffset());
        }
    }

    @Test
    void shouldRefuseAppendWhenPackFull() throws IOException {
        try (PackWriter w = new PackWriter(new byte[16], 1)) {
            w.begin(dir.resolve("f.pack.tmp"), FormatFixtures.packId(3));
            assertFalse(w.isFull());
            w.append(1, 2, 0, 3, ByteBuffer.wrap(new byte[3]), crc32c(new byte[3], 0, 3));
            assertTrue(w.isFull());
            assertThrows(IllegalStateException.class,
                    () -> w.append(3, 4, 0, 3, ByteBuffer.wrap(new byte[3]), 0));
            assertEquals(1, w.recordCount());
        }
    }

    @Test
    void shouldRejectStoredLengthWhenLongerThanRawOrEmpty() throws IOException {
        try (PackWriter w = new PackWriter(new byte[16], 4)) {
            w.begin(dir.resolve("g.pack.tmp"), FormatFixtures.packId(3));
            assertThrows(IllegalArgumentException.class,
                    () -> w.append(1, 2, 1, 3, ByteBuffer.wrap(new byte[4]), 0));
            assertThrows(IllegalArgumentException.class,
                    () -> w.append(1, 2, 0, 3, ByteBuffer.allocate(0), 0));
            assertEquals(0, w.recordCount());
            assertEquals(64, w.length());
        }
    }

    @Test
    void shouldDeleteTmpFileWhenAborted() throws IOException {
        final Path tmp = dir.resolve("a.pack.tmp");
        try (PackWriter w = new PackWriter(new byte[16], 4)) {
            w.begin(tmp, FormatFixtures.packId(4));
            w.append(1, 2, 0, 3, ByteBuffer.wrap(new byte[3]), crc32c(new byte[3], 0, 3));
            assertTrue(w.isOpen());
            w.abort();
            assertFalse(w.isOpen());
        }
        assertFalse(Files.exists(tmp));
    }

    @Test
    void shouldReusePackWriterWhenSecondPackBegun() throws IOException {
        try (PackWriter w = new PackWriter(new byte[16], 4)) {
            w.begin(dir.resolve("1.pack.tmp"), FormatFixtures.packId(0));
            w.append(1, 1, 0, 5, ByteBuffer.wrap(new byte[5]), crc32c(new byte[5], 0, 5));
            w.append(2, 2, 0, 5, ByteBuffer.wrap(new byte[5]), crc32c(new byte[5], 0, 5));
            w.seal();
            w.begin(dir.resolve("2.pack.tmp"), FormatFixtures.packId(1));
            w.append(3, 3, 0, 5, ByteBuffer.wrap(new byte[5]), crc32c(new byte[5], 0, 5));
            final SealedPack second = w.seal();
            try (PackReader r = PackReader.open(second.tmpPath())) {
                assertEquals(1, r.recordCount());
                assertEquals(3, r.idHi(0));
            }
        }
    }
}
