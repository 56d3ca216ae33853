package io.cairn.format.pack;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.FormatFixtures;
import io.cairn.format.FormatFixtures.Rec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.cairn.format.FormatFixtures.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** FORMAT.md 3: every byte of a pack is covered by a CRC32C. Flipping any byte, or cutting the file, is detected. */
class PackCorruptionTest {
    private static final List<Rec> RECORDS = List.of(Rec.raw(1, 1), Rec.raw(2, 50), Rec.zstd(3, 300, 30),
            Rec.raw(4, 17));
    private static final int[] MASKS = {0x01, 0x80, 0xFF};

    @TempDir
    Path dir;
    private byte[] original;
    private long[] recordStart;
    private long[] recordEnd;
    private final BlockRecordReader rr = new BlockRecordReader(BLOCK_SIZE);
    private final ByteBuffer buf = ByteBuffer.allocate(BLOCK_SIZE);

    @BeforeEach
    void writePack() throws IOException {
        final SealedPack sealed = FormatFixtures.writePack(dir.resolve("orig.pack"), FormatFixtures.packId(0),
                RECORDS);
        original = Files.readAllBytes(sealed.tmpPath());
        recordStart = new long[RECORDS.size()];
        recordEnd = new long[RECORDS.size()];
        long off = 64;
        for (int i = 0; i < RECORDS.size(); i++) {
            recordStart[i] = off;
            off += 40 + RECORDS.get(i).stored().length;
            recordEnd[i] = off;
        }
        assertTrue(original.length > 300 && original.length < 1000, "a small pack: " + original.length);
    }

    @Test
    void shouldDetectChangeWhenAnyByteOfSealedPackFlipped() throws IOException {
        final Path p = dir.resolve("flipped.pack");
        Files.write(p, original);
        int detectedAtOpen = 0;
        int detectedAtRecord = 0;
        for (int offset = 0; offset < original.length; offset++) {
            for (int mask : MASKS) {
                FormatFixtures.writeByte(p, offset, (byte) (original[offset] ^ mask));
                final int record = recordContaining(offset);
                try (PackReader r = PackReader.open(p)) {
                    if (record < 0) {
                        fail("flip 0x" + Integer.toHexString(mask) + " at offset " + offset
                                + " (outside every record) passed PackReader.open");
                    }
                    final int failing = firstFailingRecord(r);
                    assertEquals(record, failing, "flip 0x" + Integer.toHexString(mask) + " at offset " + offset
                            + " must fail exactly the record containing it");
                    detectedAtRecord++;
                } catch (CorruptRepositoryException e) {
                    detectedAtOpen++;
                }
            }
            FormatFixtures.writeByte(p, offset, original[offset]);
        }
        assertEquals(original.length * MASKS.length, detectedAtOpen + detectedAtRecord);
        assertTrue(detectedAtOpen > 0 && detectedAtRecord > 0);
    }

    @Test
    void shouldDetectTruncationAtOpenWhenPackCutAtEveryLength() throws IOException {
        final Path p = dir.resolve("cut.pack");
        for (int length = 0; length < original.length; length++) {
            Files.write(p, Arrays.copyOf(original, length));
            final int l = length;
            assertThrows(CorruptRepositoryException.class, () -> PackReader.open(p).close(), "length " + l);
        }
    }

    @Test
    void shouldDetectAppendedBytesWhenPackExtended() throws IOException {
        final Path p = dir.resolve("long.pack");
        Files.write(p, Arrays.copyOf(original, original.length + 1));
        assertThrows(CorruptRepositoryException.class, () -> PackReader.open(p).close());
    }

    /** Reads every record and checks its id against the footer; returns the first that throws, or -1. */
    private int firstFailingRecord(final PackReader r) throws IOException {
        for (int i = 0; i < r.recordCount(); i++) {
            try {
                rr.read(r.channel(), r.path(), r.recordOffset(i), buf);
                rr.requireId(r.path(), r.recordOffset(i), r.idHi(i), r.idLo(i));
            } catch (CorruptRepositoryException e) {
                return i;
            }
        }
        return -1;
    }

    private int recordContaining(final long offset) {
        for (int i = 0; i < recordStart.length; i++) {
            if (offset >= recordStart[i] && offset < recordEnd[i]) {
                return i;
            }
        }
        return -1;
    }
}
