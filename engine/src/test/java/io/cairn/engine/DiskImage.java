package io.cairn.engine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A test disk built in memory block by block (deterministic contents from seeds), then written to a file either
 * dense (every byte written, zeros included) or sparse (all-zero 4 KiB chunks left as holes).
 */
public final class DiskImage {
    /** Granularity of holes in a sparse image: the ext4 block size. */
    public static final int CHUNK = 4096;
    private final byte[] bytes;
    private final int blockSize;

    public DiskImage(final long size, final int blockSize) {
        this.bytes = new byte[Math.toIntExact(size)];
        this.blockSize = blockSize;
    }

    private DiskImage(final byte[] bytes, final int blockSize) {
        this.bytes = bytes;
        this.blockSize = blockSize;
    }

    public long size() {
        return bytes.length;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Blocks, the last one possibly partial. */
    public long blockCount() {
        return (bytes.length + (long) blockSize - 1) / blockSize;
    }

    public byte[] bytes() {
        return bytes;
    }

    public DiskImage copy() {
        return new DiskImage(bytes.clone(), blockSize);
    }

    /**
     * Fills a block with content that compresses to roughly a third and differs for every seed: a repeated
     * seed-dependent phrase with pseudo-random 16-byte runs between.
     */
    public DiskImage unique(final long block, final long seed) {
        final int start = start(block);
        final int end = end(block);
        final SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
        final byte[] phrase = new byte[61];
        random.nextBytes(phrase);
        for (int i = 0; i < end - start; i++) { // depends on the seed only, not on the block's position
            bytes[start + i] = ((i >> 4) & 3) == 0 ? (byte) random.nextInt() : phrase[i % phrase.length];
        }
        bytes[start] = (byte) (seed | 1); // never an all-zero block
        return this;
    }

    /** Fills a block with pseudo-random bytes that zstd cannot shrink. */
    public DiskImage random(final long block, final long seed) {
        final int start = start(block);
        final byte[] r = new byte[end(block) - start];
        new SplittableRandom(seed).nextBytes(r);
        r[0] |= 1;
        System.arraycopy(r, 0, bytes, start, r.length);
        return this;
    }

    /** Fills a block with one byte value. */
    public DiskImage fill(final long block, final byte value) {
        Arrays.fill(bytes, start(block), end(block), value);
        return this;
    }

    /** Copies block {@code from} over block {@code to} (both full blocks). */
    public DiskImage copyBlock(final long from, final long to) {
        System.arraycopy(bytes, start(from), bytes, start(to), end(from) - start(from));
        return this;
    }

    /** Writes every byte, so the file has no holes (zero blocks are real, allocated zeros). */
    public Path writeDense(final Path file) throws IOException {
        Files.write(file, bytes);
        return file;
    }

    /** Writes only the 4 KiB chunks that hold a non-zero byte; the others stay holes. */
    public Path writeSparse(final Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0);
            raf.setLength(bytes.length); // one hole over the whole file
            final FileChannel ch = raf.getChannel();
            for (long[] extent : dataExtents()) {
                final ByteBuffer b = ByteBuffer.wrap(bytes, (int) extent[0], (int) (extent[1] - extent[0]));
                long position = extent[0];
                while (b.hasRemaining()) {
                    position += ch.write(b, position);
                }
            }
        }
        return file;
    }

    /** The [start, end) ranges of non-zero 4 KiB chunks, merged: what a sparse image holds as data. */
    public List<long[]> dataExtents() {
        final List<long[]> out = new ArrayList<>();
        for (int c = 0; c < bytes.length; c += CHUNK) {
            final int end = Math.min(bytes.length, c + CHUNK);
            if (isZero(c, end)) {
                continue;
            }
            if (!out.isEmpty() && out.getLast()[1] == c) {
                out.getLast()[1] = end;
            } else {
                out.add(new long[]{c, end});
            }
        }
        return out;
    }

    private boolean isZero(final int from, final int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private int start(final long block) {
        final long s = block * blockSize;
        if (block < 0 || s >= bytes.length) {
            throw new IllegalArgumentException("block " + block + " is outside the " + bytes.length + "-byte disk");
        }
        return (int) s;
    }

    private int end(final long block) {
        return (int) Math.min(bytes.length, (block + 1) * blockSize);
    }
}
