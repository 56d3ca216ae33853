package io.cairn.format.point;

import io.cairn.format.Checksums;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Durable;
import io.cairn.format.FormatTooNewException;
import io.cairn.format.RepositoryConfig;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static io.cairn.format.point.PointLayout.*;

/**
 * Opens a restore point file, checking header, trailer, manifest and bounds (FORMAT.md 5). The block map is
 * memory-mapped read-only, so even a map of millions of entries costs no heap; {@link #verifyMap()} streams
 * its CRC.
 * <p>
 * Threads: after open, {@link #idHi}/{@link #idLo} may be called from any number of threads.
 */
public final class PointReader implements AutoCloseable {
    private static final ValueLayout.OfLong BE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** asByteBuffer() views are limited to 2 GiB; a map larger than that is checked in slices. */
    private static final long VERIFY_CHUNK_BYTES = 1L << 30;
    private final Path path;
    private final FileChannel channel;
    private final int blockSize;
    private final long virtualSize;
    private final long blockCount;
    private final Manifest manifest;
    private final int mapCrc;
    private final Arena arena;
    private final MemorySegment map;

    private PointReader(final Path path, final FileChannel channel, final int blockSize, final long virtualSize,
                        final long blockCount, final Manifest manifest, final int mapCrc) throws IOException {
        this.path = path;
        this.channel = channel;
        this.blockSize = blockSize;
        this.virtualSize = virtualSize;
        this.blockCount = blockCount;
        this.manifest = manifest;
        this.mapCrc = mapCrc;
        this.arena = Arena.ofShared();
        this.map = blockCount == 0 ? MemorySegment.ofArray(new byte[0])
                : channel.map(FileChannel.MapMode.READ_ONLY, HEADER_LENGTH, blockCount * MAP_ENTRY_LENGTH, arena);
    }

    public static PointReader open(final Path path) throws IOException {
        final FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return open(path, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static PointReader open(final Path path, final FileChannel ch) throws IOException {
        final CRC32C crc = new CRC32C();
        final long size = ch.size();
        if (size < HEADER_LENGTH + TRAILER_LENGTH) {
            throw new CorruptRepositoryException(path, -1, "restore point file is " + size
                    + " bytes, too short (truncated)");
        }
        final ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        Durable.readFully(ch, h, 0, path);
        if (h.order(ByteOrder.BIG_ENDIAN).getLong(HEADER_MAGIC_OFFSET) != MAGIC_BE) {
            throw new CorruptRepositoryException(path, 0, "not a Cairn restore point (bad magic)");
        }
        h.order(ByteOrder.LITTLE_ENDIAN);
        final int hc = Checksums.crc32c(crc, h, 0, HEADER_CRC_OFFSET);
        if (hc != h.getInt(HEADER_CRC_OFFSET)) {
            throw new CorruptRepositoryException(path, 0, String.format(
                    "restore point header checksum mismatch: actual=0x%08x expected=0x%08x", hc,
                    h.getInt(HEADER_CRC_OFFSET)));
        }
        final int version = Short.toUnsignedInt(h.getShort(HEADER_VERSION_OFFSET));
        if (version > VERSION) {
            throw new FormatTooNewException(path, version, VERSION);
        }
        final int blockSize = h.getInt(HEADER_BLOCK_SIZE_OFFSET);
        final long virtualSize = h.getLong(HEADER_VIRTUAL_SIZE_OFFSET);
        final long count = h.getLong(HEADER_BLOCK_COUNT_OFFSET);
        final long manifestOffset = h.getLong(HEADER_MANIFEST_OFFSET_OFFSET);
        final long manifestLength = Integer.toUnsignedLong(h.getInt(HEADER_MANIFEST_LENGTH_OFFSET));
        final int headerLength = Short.toUnsignedInt(h.getShort(HEADER_LENGTH_OFFSET));
        if (version != VERSION || headerLength != HEADER_LENGTH) {
            throw new CorruptRepositoryException(path, 0, "unsupported restore point version " + version
                    + " or header length " + headerLength);
        }
        if (!RepositoryConfig.isValidBlockSize(blockSize) || virtualSize < 0
                || count != PointLayout.blockCount(virtualSize, blockSize)
                || manifestOffset != PointLayout.manifestOffset(count)
                || manifestLength > MAX_MANIFEST_LENGTH
                || manifestOffset + manifestLength + TRAILER_LENGTH != size) {
            throw new CorruptRepositoryException(path, 0, "restore point header bounds are inconsistent (block size "
                    + blockSize + ", virtual size " + virtualSize + ", " + count + " blocks, manifest "
                    + manifestLength + " bytes, file " + size + " bytes)");
        }
        final ByteBuffer t = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        Durable.readFully(ch, t, size - TRAILER_LENGTH, path);
        if (t.order(ByteOrder.BIG_ENDIAN).getLong(TRAILER_MAGIC_OFFSET) != MAGIC_BE) {
            throw new CorruptRepositoryException(path, size - TRAILER_LENGTH, "restore point trailer magic missing");
        }
        t.order(ByteOrder.LITTLE_ENDIAN);
        final int tc = Checksums.crc32c(crc, t, 0, TRAILER_CRC_OFFSET);
        if (tc != t.getInt(TRAILER_CRC_OFFSET) || t.getLong(TRAILER_FILE_LENGTH_OFFSET) != size) {
            throw new CorruptRepositoryException(path, size - TRAILER_LENGTH,
                    "restore point trailer checksum or length mismatch");
        }
        final ByteBuffer m = ByteBuffer.allocate((int) manifestLength);
        Durable.readFully(ch, m, manifestOffset, path);
        final int mc = Checksums.crc32c(m.array(), 0, (int) manifestLength);
        if (mc != t.getInt(TRAILER_MANIFEST_CRC_OFFSET)) {
            throw new CorruptRepositoryException(path, manifestOffset, "restore point manifest checksum mismatch");
        }
        return new PointReader(path, ch, blockSize, virtualSize, count, Manifest.decode(m.array()),
                t.getInt(TRAILER_MAP_CRC_OFFSET));
    }

    /**
     * Streams the block map through CRC32C and compares it with the trailer's. Reads the mapped map in place: no
     * buffer is allocated (a 1 MiB direct buffer per call made verifying many points stall on direct-memory
     * reservation).
     */
    public void verifyMap() throws IOException {
        final CRC32C crc = new CRC32C();
        final long length = map.byteSize();
        for (long offset = 0; offset < length; offset += VERIFY_CHUNK_BYTES) {
            crc.update(map.asSlice(offset, Math.min(VERIFY_CHUNK_BYTES, length - offset)).asByteBuffer());
        }
        if ((int) crc.getValue() != mapCrc) {
            throw new CorruptRepositoryException(path, HEADER_LENGTH, "restore point block map checksum mismatch");
        }
    }

    public Path path() {
        return path;
    }

    public int blockSize() {
        return blockSize;
    }

    public long virtualSize() {
        return virtualSize;
    }

    public long blockCount() {
        return blockCount;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The mapped block map (read-only), {@code blockCount * 16} bytes. */
    public MemorySegment map() {
        return map;
    }

    public long idHi(final long block) {
        return map.get(BE_LONG, block * MAP_ENTRY_LENGTH);
    }

    public long idLo(final long block) {
        return map.get(BE_LONG, block * MAP_ENTRY_LENGTH + 8);
    }

    @Override
    public void close() throws IOException {
        try {
            arena.close();
        } finally {
            channel.close();
        }
    }
}
