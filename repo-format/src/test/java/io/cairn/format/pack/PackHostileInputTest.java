package io.cairn.format.pack;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.FormatFixtures;
import io.cairn.format.FormatFixtures.Rec;
import io.cairn.format.FormatTooNewException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static io.cairn.format.FormatFixtures.BLOCK_SIZE;
import static io.cairn.format.FormatFixtures.crc32c;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FORMAT.md 3.1: lengths and counts read from a pack are bounded before use. Each hostile value comes with a
 * correct CRC, so the bound checks themselves (not the checksums) are what reject it.
 */
class PackHostileInputTest {
    /** Heap a rejected open may allocate; trusting a hostile count or length would take far more. */
    private static final long ALLOCATION_LIMIT = 4L << 20;

    @TempDir
    Path dir;
    private byte[] original;
    private int trailer;
    private Path p;

    @BeforeEach
    void writePack() throws IOException {
        final SealedPack sealed = FormatFixtures.writePack(dir.resolve("orig.pack"), FormatFixtures.packId(0),
                List.of(Rec.raw(1, 10), Rec.zstd(2, 400, 20)));
        original = Files.readAllBytes(sealed.tmpPath());
        trailer = original.length - 56;
        p = dir.resolve("hostile.pack");
    }

    @Test
    void shouldRejectWithoutHugeAllocationWhenRecordCountHuge() throws IOException {
        for (long count : new long[]{0xFFFF_FFFFL, (1 << 20) + 1, 1 << 20}) {
            writeTrailer(t -> t.putInt(trailer + 8, (int) count));
            assertBoundsRejected("trailer bounds are inconsistent");
        }
    }

    @Test
    void shouldRejectWhenFooterOffsetBeyondFileOrNegative() throws IOException {
        for (long footerOffset : new long[]{original.length, 1L << 40, Long.MAX_VALUE, -1L, -32L, 0, 63}) {
            writeTrailer(t -> t.putLong(trailer, footerOffset));
            assertBoundsRejected("trailer bounds are inconsistent");
        }
    }

    @Test
    void shouldRejectWhenTrailerFileLengthDiffersFromFile() throws IOException {
        for (long length : new long[]{original.length + 1L, original.length - 1L, Long.MAX_VALUE, -1L}) {
            writeTrailer(t -> t.putLong(trailer + 32, length));
            assertBoundsRejected("differs from the trailer's");
        }
    }

    @Test
    void shouldRejectWhenTrailerPackIdDiffersFromHeader() throws IOException {
        writeTrailer(t -> t.put(trailer + 16, (byte) (t.get(trailer + 16) ^ 1)));
        assertBoundsRejected("trailer pack id differs");
    }

    @Test
    void shouldRejectWhenFooterEntryInconsistentDespiteValidCrcs() throws IOException {
        final int footer = (int) FormatFixtures.le(original).getLong(trailer);
        // record 1 claims to start one byte late
        writeFooter(f -> f.putLong(footer + 32 + 16, f.getLong(footer + 32 + 16) + 1));
        assertBoundsRejected("footer entry 1 is inconsistent");
        // stored length 0, then stored > raw
        writeFooter(f -> f.putInt(footer + 28, 0));
        assertBoundsRejected("footer entry 0 is inconsistent");
        writeFooter(f -> f.putInt(footer + 32 + 28, 401));
        assertBoundsRejected("footer entry 1 is inconsistent");
        // both records shorter than they are: they end before the footer
        writeFooter(f -> f.putInt(footer + 28, 9).putInt(footer + 24, 9));
        assertBoundsRejected("footer entry 1 is inconsistent");
        writeFooter(f -> f.putInt(footer + 32 + 28, 19));
        assertBoundsRejected("records end at");
    }

    @Test
    void shouldThrowFormatTooNewWhenHeaderVersionIsTwoWithValidCrc() throws IOException {
        final ByteBuffer b = FormatFixtures.le(original.clone());
        b.putShort(8, (short) 2).putInt(60, crc32c(b.array(), 0, 60));
        Files.write(p, b.array());
        final FormatTooNewException e = assertThrows(FormatTooNewException.class, () -> PackReader.open(p));
        assertTrue(e.getMessage().contains("version 2") && e.getMessage().contains("(1)"), e.getMessage());
    }

    @Test
    void shouldRejectWhenHeaderLengthFieldWrongWithValidCrc() throws IOException {
        final ByteBuffer b = FormatFixtures.le(original.clone());
        b.putShort(10, (short) 65).putInt(60, crc32c(b.array(), 0, 60));
        Files.write(p, b.array());
        assertThrows(CorruptRepositoryException.class, () -> PackReader.open(p));
    }

    @Test
    void shouldRejectRecordWhenHeaderLengthsOrCodecHostileWithValidCrc() throws IOException {
        final long[][] cases = {
                {8, BLOCK_SIZE + 1}, // raw length above the block size
                {8, 0xFFFF_FFFFL},   // raw length 4 GiB - 1
                {12, 0xFFFF_FFFFL},  // stored length 4 GiB - 1
                {12, 11},            // stored > raw
                {12, 0},             // stored 0
                {12, 9},             // codec 0 with stored != raw
        };
        for (long[] c : cases) {
            assertRecordRejected(b -> b.putInt(64 + (int) c[0], (int) c[1]));
        }
        assertRecordRejected(b -> b.put(64 + 4, (byte) 7)); // unknown codec
        assertRecordRejected(b -> b.putInt(64, 0x43455244)); // bad magic
    }

    @Test
    void shouldRejectRecordWhenStoredLengthExceedsBufferCapacity() throws IOException {
        Files.write(p, original);
        try (PackReader r = PackReader.open(p)) {
            final ByteBuffer small = ByteBuffer.allocate(5);
            assertThrows(CorruptRepositoryException.class,
                    () -> new BlockRecordReader(BLOCK_SIZE).read(r.channel(), p, 64, small));
        }
    }

    private void assertRecordRejected(final Consumer<ByteBuffer> change) throws IOException {
        final ByteBuffer b = FormatFixtures.le(original.clone());
        change.accept(b);
        b.putInt(64 + 36, crc32c(b.array(), 64, 36));
        Files.write(p, b.array());
        try (FileChannel ch = FileChannel.open(p)) {
            final long allocated = allocatedBytes();
            assertThrows(CorruptRepositoryException.class,
                    () -> new BlockRecordReader(BLOCK_SIZE).read(ch, p, 64, ByteBuffer.allocate(BLOCK_SIZE)));
            assertTrue(allocatedBytes() - allocated < ALLOCATION_LIMIT + BLOCK_SIZE);
        }
    }

    private void writeTrailer(final Consumer<ByteBuffer> change) throws IOException {
        final ByteBuffer b = FormatFixtures.le(original.clone());
        change.accept(b);
        b.putInt(trailer + 52, crc32c(b.array(), trailer, 52));
        Files.write(p, b.array());
    }

    private void writeFooter(final Consumer<ByteBuffer> change) throws IOException {
        final ByteBuffer b = FormatFixtures.le(original.clone());
        final int footer = (int) b.getLong(trailer);
        change.accept(b);
        b.putInt(trailer + 12, crc32c(b.array(), footer, trailer - footer));
        b.putInt(trailer + 52, crc32c(b.array(), trailer, 52));
        Files.write(p, b.array());
    }

    private void assertBoundsRejected(final String messagePart) {
        final long allocated = allocatedBytes();
        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> PackReader.open(p).close());
        final long used = allocatedBytes() - allocated;
        assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
        assertTrue(used < ALLOCATION_LIMIT, "rejecting allocated " + used + " bytes");
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }
}
