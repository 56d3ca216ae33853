package io.cairn.format.pack;

import io.cairn.format.Checksums;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Durable;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads one record (FORMAT.md 4.2) and checks its header CRC, bounds, id and data CRC.
 * <p>
 * Threads: one instance per thread (it reuses its header buffer and CRC state); no allocation per record.
 */
public final class BlockRecordReader {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong ID_HALF = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private final int blockSize;
    private final ByteBuffer header = ByteBuffer.allocateDirect(BlockRecordLayout.HEADER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
    /** The same bytes as {@link #header}, viewed once as a segment for {@link #checkHeader}. */
    private final MemorySegment headerSegment = MemorySegment.ofBuffer(header);
    private int dataCrc;
    private final CRC32C crc = new CRC32C();
    private int codec;
    private int rawLength;
    private int storedLength;
    private long idHi;
    private long idLo;

    public BlockRecordReader(final int blockSize) {
        this.blockSize = blockSize;
    }

    /**
     * Reads the record at {@code offset} of {@code ch}; its stored bytes land in dst[0, storedLength) (dst is
     * cleared first; on return position 0, limit storedLength).
     *
     * @throws CorruptRepositoryException on any mismatch, naming the pack, offset and what differs
     */
    public void read(final FileChannel ch, final Path path, final long offset, final ByteBuffer dst)
            throws IOException {
        readHeader(ch, path, offset);
        if (storedLength > dst.capacity()) {
            throw new CorruptRepositoryException(path, offset, "stored length " + storedLength
                    + " exceeds buffer capacity " + dst.capacity());
        }
        dst.clear().limit(storedLength);
        Durable.readFully(ch, dst, offset + BlockRecordLayout.HEADER_LENGTH, path);
        dst.flip();
        final int expected = header.getInt(BlockRecordLayout.DATA_CRC_OFFSET);
        final int actual = Checksums.crc32c(crc, dst);
        if (actual != expected) {
            throw new CorruptRepositoryException(path, offset, String.format(
                    "record data checksum mismatch: actual=0x%08x expected=0x%08x", actual, expected));
        }
    }

    /** Reads and checks the 40-byte header at offset only. */
    public void readHeader(final FileChannel ch, final Path path, final long offset) throws IOException {
        header.clear();
        Durable.readFully(ch, header, offset, path);
        checkHeader(headerSegment, 0, path, offset);
    }

    /**
     * Checks the 40-byte record header found in memory at {@code at} of {@code src} (read by the caller, e.g. with
     * O_DIRECT into a larger buffer): magic, header CRC, lengths, codec. The fields are then available as after
     * {@link #readHeader}. {@code path} and {@code offset} only name the record in an exception.
     */
    public void checkHeader(final MemorySegment src, final long at, final Path path, final long offset)
            throws CorruptRepositoryException {
        if (src.get(U32, at + BlockRecordLayout.MAGIC_OFFSET) != BlockRecordLayout.MAGIC) {
            throw new CorruptRepositoryException(path, offset, "bad record magic");
        }
        final int expected = src.get(U32, at + BlockRecordLayout.HEADER_CRC_OFFSET);
        crc.reset();
        for (long i = 0; i < BlockRecordLayout.HEADER_CRC_OFFSET; i += 4) {
            final int v = src.get(U32, at + i);
            crc.update(v);
            crc.update(v >>> 8);
            crc.update(v >>> 16);
            crc.update(v >>> 24);
        }
        final int actual = (int) crc.getValue();
        if (actual != expected) {
            throw new CorruptRepositoryException(path, offset, String.format(
                    "record header checksum mismatch: actual=0x%08x expected=0x%08x", actual, expected));
        }
        codec = src.get(ValueLayout.JAVA_BYTE, at + BlockRecordLayout.CODEC_OFFSET) & 0xFF;
        rawLength = src.get(U32, at + BlockRecordLayout.RAW_LENGTH_OFFSET);
        storedLength = src.get(U32, at + BlockRecordLayout.STORED_LENGTH_OFFSET);
        if (rawLength <= 0 || rawLength > blockSize || storedLength <= 0 || storedLength > rawLength) {
            throw new CorruptRepositoryException(path, offset, "record lengths out of bounds: raw " + rawLength
                    + ", stored " + storedLength + ", block size " + blockSize);
        }
        if (codec != BlockRecordLayout.CODEC_RAW && codec != BlockRecordLayout.CODEC_ZSTD) {
            throw new CorruptRepositoryException(path, offset, "unknown record codec " + codec);
        }
        if (codec == BlockRecordLayout.CODEC_RAW && storedLength != rawLength) {
            throw new CorruptRepositoryException(path, offset, "raw record with stored length != raw length");
        }
        idHi = src.get(ID_HALF, at + BlockRecordLayout.ID_OFFSET);
        idLo = src.get(ID_HALF, at + BlockRecordLayout.ID_OFFSET + 8);
        dataCrc = src.get(U32, at + BlockRecordLayout.DATA_CRC_OFFSET);
    }

    /**
     * Checks the CRC32C of the last checked header's stored bytes, found in {@code src} from {@code from} (its
     * position and limit are changed). Pair with {@link #checkHeader}.
     */
    public void checkData(final ByteBuffer src, final int from, final Path path, final long offset)
            throws CorruptRepositoryException {
        final int actual = Checksums.crc32c(crc, src, from, storedLength);
        if (actual != dataCrc) {
            throw new CorruptRepositoryException(path, offset, String.format(
                    "record data checksum mismatch: actual=0x%08x expected=0x%08x", actual, dataCrc));
        }
    }

    /** Checks that the last record read has the given id. */
    public void requireId(final Path path, final long offset, final long hi, final long lo)
            throws CorruptRepositoryException {
        if (idHi != hi || idLo != lo) {
            throw new CorruptRepositoryException(path, offset, String.format(
                    "record id %016x%016x differs from the expected %016x%016x", idHi, idLo, hi, lo));
        }
    }

    /** The data CRC32C of the last record read (checked by {@link #read}); lets compact and move copy a record verbatim. */
    public int dataCrc() {
        return header.getInt(BlockRecordLayout.DATA_CRC_OFFSET);
    }

    public int codec() {
        return codec;
    }

    public int rawLength() {
        return rawLength;
    }

    public int storedLength() {
        return storedLength;
    }

    public long idHi() {
        return idHi;
    }

    public long idLo() {
        return idLo;
    }
}
