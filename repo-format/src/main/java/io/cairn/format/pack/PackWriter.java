package io.cairn.format.pack;

import io.cairn.format.Checksums;
import io.cairn.format.Hex;
import io.cairn.format.PausePoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.cairn.format.pack.PackLayout.*;

/**
 * Writes packs (FORMAT.md section 4), one at a time, reusing its buffers from pack to pack.
 * <p>
 * Threads: one writer thread only. Life cycle per pack: {@link #begin}, {@link #append} (repeatedly),
 * then {@link #seal} or {@link #abort}. A writer whose I/O failed stays failed: every later call throws
 * IllegalStateException carrying the first cause (so a half-written pack is never sealed).
 * <p>
 * Design note: the record header and the caller's stored bytes go to the file in one gathering write; the
 * stored bytes are never copied. The footer grows in an off-heap buffer sized for {@code maxRecords}.
 */
public final class PackWriter implements AutoCloseable {
    private final byte[] repositoryId;
    private final int maxRecords;
    private final ByteBuffer footer;
    private final ByteBuffer recordHeader = ByteBuffer.allocateDirect(BlockRecordLayout.HEADER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private final CRC32C crc = new CRC32C();

    private FileChannel channel;
    private Path tmpPath;
    private byte[] packId;
    private long position;
    private int recordCount;
    private IOException failure;

    /**
     * The record bound every Cairn writer uses (backup, compact, move): keeps a pack's footer buffer at 2 MiB
     * (32 bytes per entry, FORMAT.md 4.3).
     */
    public static final int DEFAULT_MAX_RECORDS = 65_536;

    /** A writer with {@link #DEFAULT_MAX_RECORDS}. */
    public PackWriter(final byte[] repositoryId) {
        this(repositoryId, DEFAULT_MAX_RECORDS);
    }

    public PackWriter(final byte[] repositoryId, final int maxRecords) {
        if (maxRecords < 1 || maxRecords > MAX_RECORDS) {
            throw new IllegalArgumentException("maxRecords " + maxRecords);
        }
        this.repositoryId = repositoryId.clone();
        this.maxRecords = maxRecords;
        this.footer = ByteBuffer.allocateDirect(maxRecords * FOOTER_ENTRY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        gather[0] = recordHeader;
    }

    /** Starts a new pack at tmpPath (created, must not exist). */
    public void begin(final Path tmpPath, final byte[] packId) throws IOException {
        checkNotFailed();
        if (channel != null) {
            throw new IllegalStateException("a pack is already open: " + this.tmpPath);
        }
        this.channel = FileChannel.open(tmpPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.tmpPath = tmpPath;
        this.packId = packId.clone();
        this.recordCount = 0;
        this.position = 0;
        footer.clear();
        final ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        h.order(ByteOrder.BIG_ENDIAN).putLong(HEADER_MAGIC_OFFSET, MAGIC_BE).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort(HEADER_VERSION_OFFSET, (short) VERSION);
        h.putShort(HEADER_LENGTH_OFFSET, (short) HEADER_LENGTH);
        h.putInt(HEADER_FLAGS_OFFSET, 0);
        h.put(HEADER_PACK_ID_OFFSET, packId);
        h.put(HEADER_REPOSITORY_ID_OFFSET, repositoryId);
        h.putLong(HEADER_CREATED_OFFSET, System.currentTimeMillis());
        h.putInt(HEADER_RESERVED_OFFSET, 0);
        h.putInt(HEADER_CRC_OFFSET, Checksums.crc32c(crc, h, 0, HEADER_CRC_OFFSET));
        write(h);
    }

    /** True between begin and seal/abort. */
    public boolean isOpen() {
        return channel != null;
    }

    /** Bytes written to the open pack so far. */
    public long length() {
        return position;
    }

    public int recordCount() {
        return recordCount;
    }

    /** True when no more records fit in the footer. */
    public boolean isFull() {
        return recordCount >= maxRecords;
    }

    /**
     * Appends one record. {@code stored} supplies bytes [position, limit); on return its position equals its
     * limit. {@code dataCrc} is the CRC32C of those bytes (computed by the caller, usually on another core).
     *
     * @return the record's offset in the pack
     */
    public long append(final long idHi, final long idLo, final int codec, final int rawLength, final ByteBuffer stored,
                       final int dataCrc) throws IOException {
        checkNotFailed();
        if (channel == null) {
            throw new IllegalStateException("no open pack");
        }
        if (recordCount >= maxRecords) {
            throw new IllegalStateException("pack is full: " + recordCount + " records");
        }
        final int storedLength = stored.remaining();
        if (storedLength <= 0 || storedLength > rawLength) {
            throw new IllegalArgumentException("stored length " + storedLength + " for raw length " + rawLength);
        }
        final ByteBuffer h = recordHeader;
        h.clear();
        h.putInt(BlockRecordLayout.MAGIC_OFFSET, BlockRecordLayout.MAGIC);
        h.put(BlockRecordLayout.CODEC_OFFSET, (byte) codec);
        h.put(BlockRecordLayout.FLAGS_OFFSET, (byte) 0);
        h.putShort(BlockRecordLayout.RESERVED_OFFSET, (short) 0);
        h.putInt(BlockRecordLayout.RAW_LENGTH_OFFSET, rawLength);
        h.putInt(BlockRecordLayout.STORED_LENGTH_OFFSET, storedLength);
        h.order(ByteOrder.BIG_ENDIAN);
        h.putLong(BlockRecordLayout.ID_OFFSET, idHi);
        h.putLong(BlockRecordLayout.ID_OFFSET + 8, idLo);
        h.order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(BlockRecordLayout.DATA_CRC_OFFSET, dataCrc);
        h.putInt(BlockRecordLayout.HEADER_CRC_OFFSET, Checksums.crc32c(crc, h, 0,
                BlockRecordLayout.HEADER_CRC_OFFSET));
        final long offset = position;
        gather[1] = stored;
        try {
            long remaining = BlockRecordLayout.HEADER_LENGTH + (long) storedLength;
            while (remaining > 0) {
                remaining -= channel.write(gather);
            }
        } catch (IOException e) {
            fail(e);
            throw e;
        } finally {
            gather[1] = null;
        }
        position += BlockRecordLayout.HEADER_LENGTH + storedLength;
        final int e = recordCount * FOOTER_ENTRY_LENGTH;
        footer.order(ByteOrder.BIG_ENDIAN);
        footer.putLong(e + FOOTER_ID_OFFSET, idHi);
        footer.putLong(e + FOOTER_ID_OFFSET + 8, idLo);
        footer.order(ByteOrder.LITTLE_ENDIAN);
        footer.putLong(e + FOOTER_RECORD_OFFSET_OFFSET, offset);
        footer.putInt(e + FOOTER_RAW_LENGTH_OFFSET, rawLength);
        footer.putInt(e + FOOTER_STORED_LENGTH_OFFSET, storedLength);
        recordCount++;
        return offset;
    }

    /** Writes footer and trailer, fdatasyncs, re-reads and checks the trailer, closes. */
    public SealedPack seal() throws IOException {
        checkNotFailed();
        if (channel == null) {
            throw new IllegalStateException("no open pack");
        }
        try {
            final long footerOffset = position;
            final int footerLength = recordCount * FOOTER_ENTRY_LENGTH;
            footer.limit(footerLength).position(0);
            final int footerCrc = Checksums.crc32c(crc, footer);
            write(footer);
            final long fileLength = position + TRAILER_LENGTH;
            final ByteBuffer t = trailer(footerOffset, recordCount, footerCrc, packId, fileLength, crc);
            write(t);
            PausePoint.at("pack-before-fdatasync");
            channel.force(false);
            channel.close();
            channel = null;
            PackReader.open(tmpPath).close(); // re-read what was just produced (restic Packer.Finalize)
            return new SealedPack(Hex.of(packId), tmpPath, fileLength, recordCount);
        } catch (IOException e) {
            fail(e);
            throw e;
        }
    }

    static ByteBuffer trailer(final long footerOffset, final int count, final int footerCrc, final byte[] packId,
                              final long fileLength, final CRC32C crc) {
        final ByteBuffer t = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        t.putLong(TRAILER_FOOTER_OFFSET_OFFSET, footerOffset);
        t.putInt(TRAILER_RECORD_COUNT_OFFSET, count);
        t.putInt(TRAILER_FOOTER_CRC_OFFSET, footerCrc);
        t.put(TRAILER_PACK_ID_OFFSET, packId);
        t.putLong(TRAILER_FILE_LENGTH_OFFSET, fileLength);
        t.order(ByteOrder.BIG_ENDIAN).putLong(TRAILER_MAGIC_OFFSET, MAGIC_BE).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(TRAILER_RESERVED_OFFSET, 0);
        t.putInt(TRAILER_CRC_OFFSET, Checksums.crc32c(crc, t, 0, TRAILER_CRC_OFFSET));
        return t;
    }

    /** Closes and deletes the open pack, if any. Safe after a failure. */
    public void abort() {
        final FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the file is being discarded
            }
            try {
                Files.deleteIfExists(tmpPath);
            } catch (IOException ignored) {
                // a leftover in tmp/ is reclaimable, not damage
            }
        }
    }

    private void write(final ByteBuffer b) throws IOException {
        try {
            while (b.hasRemaining()) {
                position += channel.write(b);
            }
        } catch (IOException e) {
            fail(e);
            throw e;
        }
    }

    private void fail(final IOException e) {
        if (failure == null) {
            failure = e;
        }
    }

    private void checkNotFailed() {
        if (failure != null) {
            throw new IllegalStateException("pack writer failed earlier: " + failure.getMessage(), failure);
        }
    }

    @Override
    public void close() {
        abort();
    }
}
