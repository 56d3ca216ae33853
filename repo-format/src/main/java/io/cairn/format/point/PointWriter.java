package io.cairn.format.point;

import io.cairn.format.Checksums;
import io.cairn.format.Durable;
import io.cairn.format.PausePoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.cairn.format.point.PointLayout.*;

/**
 * Streams a restore point file (FORMAT.md section 5) into tmp/: header first, then one map entry per block in
 * block order, then the manifest and trailer. Memory is bounded (one 1 MiB buffer) whatever the disk size.
 * <p>
 * Threads: one thread. Publishing (rename into points/) is the repository's job, after {@link #finish}.
 */
public final class PointWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;
    private final Path tmpPath;
    private final FileChannel channel;
    private final long blockCount;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C mapCrc = new CRC32C();
    /** The header as written by create(); finish() patches the manifest length and CRC into it. */
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private long entries;
    private long position;
    private boolean done;

    private PointWriter(final Path tmpPath, final FileChannel channel, final long blockCount) {
        this.tmpPath = tmpPath;
        this.channel = channel;
        this.blockCount = blockCount;
    }

    /** Creates tmpPath and writes the header. */
    public static PointWriter create(final Path tmpPath, final int blockSize, final long virtualSize)
            throws IOException {
        final long count = PointLayout.blockCount(virtualSize, blockSize);
        final FileChannel ch = FileChannel.open(tmpPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        final PointWriter w = new PointWriter(tmpPath, ch, count);
        try {
            final ByteBuffer h = w.header;
            h.order(ByteOrder.BIG_ENDIAN).putLong(HEADER_MAGIC_OFFSET, MAGIC_BE).order(ByteOrder.LITTLE_ENDIAN);
            h.putShort(HEADER_VERSION_OFFSET, (short) VERSION);
            h.putShort(HEADER_LENGTH_OFFSET, (short) HEADER_LENGTH);
            h.putInt(HEADER_BLOCK_SIZE_OFFSET, blockSize);
            h.putLong(HEADER_VIRTUAL_SIZE_OFFSET, virtualSize);
            h.putLong(HEADER_BLOCK_COUNT_OFFSET, count);
            h.putLong(HEADER_MANIFEST_OFFSET_OFFSET, manifestOffset(count));
            h.putInt(HEADER_MANIFEST_LENGTH_OFFSET, 0); // patched by finish()
            h.putInt(HEADER_FLAGS_OFFSET, 0);
            w.write(h.duplicate());
        } catch (IOException e) {
            w.abort();
            throw e;
        }
        return w;
    }

    /** Appends the next block's id (the all-zero id for a zero block). */
    public void putEntry(final long idHi, final long idLo) throws IOException {
        if (entries >= blockCount) {
            throw new IllegalStateException("more map entries than blocks (" + blockCount + ")");
        }
        if (buffer.remaining() < MAP_ENTRY_LENGTH) {
            flushMap();
        }
        buffer.putLong(idHi).putLong(idLo);
        entries++;
    }

    /** Appends {@code n} zero-block entries. */
    public void putZeros(final long n) throws IOException {
        for (long i = 0; i < n; i++) {
            putEntry(0L, 0L);
        }
    }

    public long entries() {
        return entries;
    }

    public long blockCount() {
        return blockCount;
    }

    private void flushMap() throws IOException {
        buffer.flip();
        final int pos = buffer.position();
        mapCrc.update(buffer);
        buffer.position(pos);
        write(buffer);
        buffer.clear();
    }

    /** Writes manifest, trailer and the final header, then fdatasyncs and closes. */
    public void finish(final Manifest manifest) throws IOException {
        if (entries != blockCount) {
            throw new IllegalStateException("map has " + entries + " entries, expected " + blockCount);
        }
        flushMap();
        final byte[] m = manifest.encode();
        if (m.length > MAX_MANIFEST_LENGTH) {
            throw new IllegalArgumentException("manifest too long: " + m.length);
        }
        final CRC32C crc = new CRC32C();
        write(ByteBuffer.wrap(m));
        final ByteBuffer t = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(TRAILER_MAP_CRC_OFFSET, (int) mapCrc.getValue());
        t.putInt(TRAILER_MANIFEST_CRC_OFFSET, Checksums.crc32c(m, 0, m.length));
        t.putLong(TRAILER_FILE_LENGTH_OFFSET, position + TRAILER_LENGTH);
        t.order(ByteOrder.BIG_ENDIAN).putLong(TRAILER_MAGIC_OFFSET, MAGIC_BE).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(TRAILER_RESERVED_OFFSET, 0);
        t.putInt(TRAILER_CRC_OFFSET, Checksums.crc32c(crc, t, 0, TRAILER_CRC_OFFSET));
        write(t);
        // patch the manifest length and header crc now that the manifest is known
        final ByteBuffer h = header;
        h.putInt(HEADER_MANIFEST_LENGTH_OFFSET, m.length);
        h.putInt(HEADER_CRC_OFFSET, Checksums.crc32c(crc, h, 0, HEADER_CRC_OFFSET));
        h.clear();
        Durable.writeFully(channel, h, 0);
        PausePoint.at("point-before-fdatasync");
        channel.force(false);
        channel.close();
        done = true;
    }

    public Path tmpPath() {
        return tmpPath;
    }

    private void write(final ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            position += channel.write(b, position);
        }
    }

    /** Closes and deletes the file unless finished. */
    public void abort() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // discarded anyway
        }
        if (!done) {
            try {
                Files.deleteIfExists(tmpPath);
            } catch (IOException ignored) {
                // a leftover in tmp/ is reclaimable
            }
        }
    }

    @Override
    public void close() {
        abort();
    }
}
