package io.cairn.format.pack;

import io.cairn.format.Checksums;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Durable;
import io.cairn.format.FormatTooNewException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static io.cairn.format.pack.PackLayout.*;

/**
 * Opens a sealed pack and checks its header, trailer and footer (FORMAT.md 4.1, 4.3, 4.4), treating every
 * length and count as hostile. Records are read with {@link BlockRecordReader}.
 * <p>
 * Threads: immutable after open; {@link #channel()} supports concurrent positional reads.
 */
public final class PackReader implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final byte[] packId;
    private final byte[] repositoryId;
    private final long fileLength;
    private final long footerOffset;
    private final int recordCount;
    private final ByteBuffer footer;

    private PackReader(final Path path, final FileChannel channel, final byte[] packId, final byte[] repositoryId,
                       final long fileLength, final long footerOffset, final int recordCount, final ByteBuffer footer) {
        this.path = path;
        this.channel = channel;
        this.packId = packId;
        this.repositoryId = repositoryId;
        this.fileLength = fileLength;
        this.footerOffset = footerOffset;
        this.recordCount = recordCount;
        this.footer = footer;
    }

    /** Opens and validates; CorruptRepositoryException (naming file and offset) when anything is off. */
    public static PackReader open(final Path path) throws IOException {
        final FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return open(path, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static PackReader open(final Path path, final FileChannel ch) throws IOException {
        final CRC32C crc = new CRC32C();
        final long size = ch.size();
        if (size < HEADER_LENGTH + TRAILER_LENGTH) {
            throw new CorruptRepositoryException(path, -1, "pack is " + size + " bytes, too short (truncated)");
        }
        final ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        Durable.readFully(ch, h, 0, path);
        if (h.order(ByteOrder.BIG_ENDIAN).getLong(HEADER_MAGIC_OFFSET) != MAGIC_BE) {
            throw new CorruptRepositoryException(path, 0, "not a Cairn pack (bad header magic)");
        }
        h.order(ByteOrder.LITTLE_ENDIAN);
        final int version = Short.toUnsignedInt(h.getShort(HEADER_VERSION_OFFSET));
        final int storedHeaderCrc = h.getInt(HEADER_CRC_OFFSET);
        final int actualHeaderCrc = Checksums.crc32c(crc, h, 0, HEADER_CRC_OFFSET);
        if (storedHeaderCrc != actualHeaderCrc) {
            throw new CorruptRepositoryException(path, 0, String.format(
                    "pack header checksum mismatch: actual=0x%08x expected=0x%08x", actualHeaderCrc, storedHeaderCrc));
        }
        if (version > VERSION) {
            throw new FormatTooNewException(path, version, VERSION);
        }
        final int headerLength = Short.toUnsignedInt(h.getShort(HEADER_LENGTH_OFFSET));
        if (version != VERSION || headerLength != HEADER_LENGTH) {
            throw new CorruptRepositoryException(path, 0, "unsupported pack version " + version + " or header length "
                    + headerLength);
        }
        final byte[] packId = new byte[16];
        h.get(HEADER_PACK_ID_OFFSET, packId);
        final byte[] repoId = new byte[16];
        h.get(HEADER_REPOSITORY_ID_OFFSET, repoId);

        final long trailerOffset = size - TRAILER_LENGTH;
        final ByteBuffer t = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        Durable.readFully(ch, t, trailerOffset, path);
        if (t.order(ByteOrder.BIG_ENDIAN).getLong(TRAILER_MAGIC_OFFSET) != MAGIC_BE) {
            throw new CorruptRepositoryException(path, trailerOffset,
                    "pack has no trailer magic (not sealed or truncated)");
        }
        t.order(ByteOrder.LITTLE_ENDIAN);
        final int storedTrailerCrc = t.getInt(TRAILER_CRC_OFFSET);
        final int actualTrailerCrc = Checksums.crc32c(crc, t, 0, TRAILER_CRC_OFFSET);
        if (storedTrailerCrc != actualTrailerCrc) {
            throw new CorruptRepositoryException(path, trailerOffset, String.format(
                    "pack trailer checksum mismatch: actual=0x%08x expected=0x%08x", actualTrailerCrc,
                    storedTrailerCrc));
        }
        final long footerOffset = t.getLong(TRAILER_FOOTER_OFFSET_OFFSET);
        final long count = Integer.toUnsignedLong(t.getInt(TRAILER_RECORD_COUNT_OFFSET));
        final long fileLength = t.getLong(TRAILER_FILE_LENGTH_OFFSET);
        final byte[] trailerId = new byte[16];
        t.get(TRAILER_PACK_ID_OFFSET, trailerId);
        if (fileLength != size) {
            throw new CorruptRepositoryException(path, trailerOffset, "pack length " + size
                    + " differs from the trailer's " + fileLength);
        }
        if (!Arrays.equals(trailerId, packId)) {
            throw new CorruptRepositoryException(path, trailerOffset, "trailer pack id differs from the header's");
        }
        if (count > MAX_RECORDS || footerOffset < HEADER_LENGTH
                || footerOffset + count * FOOTER_ENTRY_LENGTH + TRAILER_LENGTH != size) {
            throw new CorruptRepositoryException(path, trailerOffset, "trailer bounds are inconsistent: footer offset "
                    + footerOffset + ", " + count + " records, length " + size);
        }
        final ByteBuffer f = ByteBuffer.allocate((int) count * FOOTER_ENTRY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        Durable.readFully(ch, f, footerOffset, path);
        f.flip();
        final int storedFooterCrc = t.getInt(TRAILER_FOOTER_CRC_OFFSET);
        final int actualFooterCrc = Checksums.crc32c(crc, f);
        if (storedFooterCrc != actualFooterCrc) {
            throw new CorruptRepositoryException(path, footerOffset, String.format(
                    "pack footer checksum mismatch: actual=0x%08x expected=0x%08x", actualFooterCrc, storedFooterCrc));
        }
        long expectedOffset = HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            final int e = i * FOOTER_ENTRY_LENGTH;
            final long ro = f.getLong(e + FOOTER_RECORD_OFFSET_OFFSET);
            final long raw = Integer.toUnsignedLong(f.getInt(e + FOOTER_RAW_LENGTH_OFFSET));
            final long stored = Integer.toUnsignedLong(f.getInt(e + FOOTER_STORED_LENGTH_OFFSET));
            if (ro != expectedOffset || stored == 0 || stored > raw) {
                throw new CorruptRepositoryException(path, footerOffset + e, "footer entry " + i
                        + " is inconsistent (offset " + ro + ", raw " + raw + ", stored " + stored + ")");
            }
            expectedOffset += BlockRecordLayout.HEADER_LENGTH + stored;
        }
        if (expectedOffset != footerOffset) {
            throw new CorruptRepositoryException(path, footerOffset, "records end at " + expectedOffset
                    + " but the footer starts at " + footerOffset);
        }
        return new PackReader(path, ch, packId, repoId, size, footerOffset, (int) count, f);
    }

    public Path path() {
        return path;
    }

    public FileChannel channel() {
        return channel;
    }

    public byte[] packId() {
        return packId.clone();
    }

    public byte[] repositoryId() {
        return repositoryId.clone();
    }

    public long fileLength() {
        return fileLength;
    }

    public long footerOffset() {
        return footerOffset;
    }

    public int recordCount() {
        return recordCount;
    }

    public long idHi(final int i) {
        return footer.order(ByteOrder.BIG_ENDIAN).getLong(i * FOOTER_ENTRY_LENGTH + FOOTER_ID_OFFSET);
    }

    public long idLo(final int i) {
        return footer.order(ByteOrder.BIG_ENDIAN).getLong(i * FOOTER_ENTRY_LENGTH + FOOTER_ID_OFFSET + 8);
    }

    public long recordOffset(final int i) {
        return footer.order(ByteOrder.LITTLE_ENDIAN).getLong(i * FOOTER_ENTRY_LENGTH + FOOTER_RECORD_OFFSET_OFFSET);
    }

    public int rawLength(final int i) {
        return footer.order(ByteOrder.LITTLE_ENDIAN).getInt(i * FOOTER_ENTRY_LENGTH + FOOTER_RAW_LENGTH_OFFSET);
    }

    public int storedLength(final int i) {
        return footer.order(ByteOrder.LITTLE_ENDIAN).getInt(i * FOOTER_ENTRY_LENGTH + FOOTER_STORED_LENGTH_OFFSET);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
