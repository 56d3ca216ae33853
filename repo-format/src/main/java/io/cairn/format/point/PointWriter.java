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
import java.util.Arrays;
import java.util.zip.CRC32C;

import static io.cairn.format.point.PointLayout.*;

/**
 * Writes a restore point file (FORMAT.md section 5) into tmp/: header first, then one map entry per block, then
 * the manifest and trailer.
 * <p>
 * Map entries may come in any order ({@link #putEntryAt}), as long as each block gets exactly one: a backup that
 * reads several stripes of the disk at once produces a few interleaved ascending sequences. Each such sequence
 * fills one of a few lane buffers, written out with positional writes when full or when its lane is needed for
 * another sequence. The map's CRC is computed while the lanes are written in file order (the usual, sequential
 * case); otherwise {@link #finish} reads the written map back once to compute it. Memory is bounded (the lanes and
 * one bit per block) whatever the disk size.
 * <p>
 * Threads: one thread. Publishing (rename into points/) is the repository's job, after {@link #finish}.
 */
public final class PointWriter implements AutoCloseable {
    /** Interleaved ascending sequences that are buffered at once; more cost a flush each time they alternate. */
    public static final int LANES = 8;
    /** 2^36 blocks: 4 EiB at the smallest block size; keeps the block bitmap's index an int. */
    static final long MAX_BLOCKS = 1L << 36;
    private static final int LANE_BYTES = 128 << 10;
    private final Path tmpPath;
    private final FileChannel channel;
    private final long blockCount;
    private final ByteBuffer[] lanes = new ByteBuffer[LANES];
    /** Block of each lane's first buffered entry. */
    private final long[] laneStart = new long[LANES];
    /** Block each lane's next entry must have to join it; -1 for a lane not in use. */
    private final long[] laneNext = new long[LANES];
    /** Tick of each lane's last use, to pick the least recently used lane when all are taken. */
    private final long[] laneUsed = new long[LANES];
    private long tick;
    /**
     * One bit per block that has its entry, made at the first entry out of block order (until then every entry
     * came at {@link #following}, so none can repeat): a block written twice would leave another one unwritten,
     * reading as a zero block.
     */
    private long[] written;
    private final CRC32C mapCrc = new CRC32C();
    /** The map's CRC covers blocks [0, crcBlocks) while every lane write so far came in file order. */
    private long crcBlocks;
    private boolean crcStreamed = true;
    /** The header as written by create(); finish() patches the manifest length and CRC into it. */
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private long entries;
    /** The block after the last entry put, for {@link #putEntry}. */
    private long following;
    private boolean done;

    private PointWriter(final Path tmpPath, final FileChannel channel, final long blockCount) {
        this.tmpPath = tmpPath;
        this.channel = channel;
        this.blockCount = blockCount;
        Arrays.fill(laneNext, -1);
    }

    /** Creates tmpPath and writes the header. */
    public static PointWriter create(final Path tmpPath, final int blockSize, final long virtualSize)
            throws IOException {
        final long count = PointLayout.blockCount(virtualSize, blockSize);
        if (count > MAX_BLOCKS) {
            throw new IllegalArgumentException("disk of " + count + " blocks: more than a restore point maps ("
                + MAX_BLOCKS + ")");
        }
        final FileChannel ch = FileChannel.open(tmpPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            StandardOpenOption.READ); // READ: finish() may read the map back for its CRC
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
            Durable.writeFully(ch, h.duplicate(), 0);
        } catch (IOException e) {
            w.abort();
            throw e;
        }
        return w;
    }

    /** Puts the id of the block after the previous entry put (block 0 first): for writers in block order. */
    public void putEntry(final long idHi, final long idLo) throws IOException {
        putEntryAt(following, idHi, idLo);
    }

    /** Puts {@code n} zero-block entries after the previous entry put. */
    public void putZeros(final long n) throws IOException {
        putZerosAt(following, n);
    }

    /** Puts block {@code block}'s id (the all-zero id for a zero block); every block gets exactly one. */
    public void putEntryAt(final long block, final long idHi, final long idLo) throws IOException {
        if (block < 0 || block >= blockCount) {
            throw new IllegalStateException("map entry for block " + block + " of a map of " + blockCount);
        }
        if (block != following || written != null) {
            markWritten(block);
        }
        final int lane = lane(block);
        final ByteBuffer b = lanes[lane];
        b.putLong(idHi).putLong(idLo);
        laneNext[lane] = block + 1;
        entries++;
        following = block + 1;
        if (!b.hasRemaining()) {
            flushLane(lane);
            laneStart[lane] = block + 1;
        }
    }

    private void markWritten(final long block) {
        if (written == null) {
            written = new long[(int) ((blockCount + 63) >>> 6)];
            for (long b = 0; b < following; b++) { // all entries so far: blocks 0 .. following - 1, in order
                written[(int) (b >>> 6)] |= 1L << b;
            }
        }
        final long bit = 1L << block;
        final int word = (int) (block >>> 6);
        if ((written[word] & bit) != 0) {
            throw new IllegalStateException("second map entry for block " + block);
        }
        written[word] |= bit;
    }

    /** Puts {@code n} zero-block entries for blocks {@code first .. first + n - 1}. */
    public void putZerosAt(final long first, final long n) throws IOException {
        for (long i = 0; i < n; i++) {
            putEntryAt(first + i, 0L, 0L);
        }
    }

    public long entries() {
        return entries;
    }

    public long blockCount() {
        return blockCount;
    }

    /** The lane whose sequence {@code block} continues; else a free lane, or the least recently used one, flushed. */
    private int lane(final long block) throws IOException {
        final long now = ++tick;
        int free = -1;
        int oldest = 0;
        for (int i = 0; i < LANES; i++) {
            if (laneNext[i] == block) {
                laneUsed[i] = now;
                return i;
            }
            if (laneNext[i] < 0) {
                free = free < 0 ? i : free;
            } else if (laneUsed[i] < laneUsed[oldest]) {
                oldest = i;
            }
        }
        final int lane = free >= 0 ? free : oldest;
        if (free < 0) {
            flushLane(lane);
        } else if (lanes[lane] == null) {
            lanes[lane] = ByteBuffer.allocateDirect(LANE_BYTES).order(ByteOrder.BIG_ENDIAN);
        }
        laneStart[lane] = block;
        laneNext[lane] = block;
        laneUsed[lane] = now;
        return lane;
    }

    /** Writes a lane's buffered entries at their place in the map; the lane stays assigned, now empty. */
    private void flushLane(final int lane) throws IOException {
        final ByteBuffer b = lanes[lane];
        b.flip();
        if (b.hasRemaining()) {
            final long first = laneStart[lane];
            final long n = b.remaining() / MAP_ENTRY_LENGTH;
            if (crcStreamed && first == crcBlocks) {
                mapCrc.update(b);
                b.rewind();
                crcBlocks += n;
            } else {
                crcStreamed = false;
            }
            Durable.writeFully(channel, b, HEADER_LENGTH + first * MAP_ENTRY_LENGTH);
        }
        b.clear();
    }

    /** Flushes every lane in file order, so that the sequential case keeps its streamed CRC. */
    private void flushAllLanes() throws IOException {
        while (true) {
            int next = -1;
            for (int i = 0; i < LANES; i++) {
                if (laneNext[i] >= 0 && lanes[i].position() > 0
                        && (next < 0 || laneStart[i] < laneStart[next])) {
                    next = i;
                }
            }
            if (next < 0) {
                return;
            }
            flushLane(next);
            laneStart[next] = laneNext[next];
        }
    }

    /** CRC32C of the whole map as written, read back from the file (only when it was not written in order). */
    private int mapCrcFromFile() throws IOException {
        final CRC32C crc = new CRC32C();
        final ByteBuffer b = lanes[0] != null ? lanes[0] : ByteBuffer.allocateDirect(LANE_BYTES);
        final long end = HEADER_LENGTH + blockCount * MAP_ENTRY_LENGTH;
        long pos = HEADER_LENGTH;
        while (pos < end) {
            b.clear().limit((int) Math.min(b.capacity(), end - pos));
            while (b.hasRemaining()) {
                if (channel.read(b, pos + b.position()) < 0) {
                    throw new IOException(tmpPath + ": block map shorter than written");
                }
            }
            b.flip();
            crc.update(b);
            pos += b.limit();
        }
        return (int) crc.getValue();
    }

    /** Writes manifest, trailer and the final header, then fdatasyncs and closes. */
    public void finish(final Manifest manifest) throws IOException {
        if (entries != blockCount) {
            throw new IllegalStateException("map has " + entries + " entries, expected " + blockCount);
        }
        flushAllLanes();
        final int mapCrcValue = crcStreamed && crcBlocks == blockCount ? (int) mapCrc.getValue() : mapCrcFromFile();
        final byte[] m = manifest.encode();
        if (m.length > MAX_MANIFEST_LENGTH) {
            throw new IllegalArgumentException("manifest too long: " + m.length);
        }
        final CRC32C crc = new CRC32C();
        long position = manifestOffset(blockCount);
        Durable.writeFully(channel, ByteBuffer.wrap(m), position);
        position += m.length;
        final ByteBuffer t = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(TRAILER_MAP_CRC_OFFSET, mapCrcValue);
        t.putInt(TRAILER_MANIFEST_CRC_OFFSET, Checksums.crc32c(m, 0, m.length));
        t.putLong(TRAILER_FILE_LENGTH_OFFSET, position + TRAILER_LENGTH);
        t.order(ByteOrder.BIG_ENDIAN).putLong(TRAILER_MAGIC_OFFSET, MAGIC_BE).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(TRAILER_RESERVED_OFFSET, 0);
        t.putInt(TRAILER_CRC_OFFSET, Checksums.crc32c(crc, t, 0, TRAILER_CRC_OFFSET));
        t.clear();
        Durable.writeFully(channel, t, position);
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
