package io.cairn.tools;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deterministic disk images for the CLI tests (fixed seeds, so every run backs up the same bytes) and bit-exact
 * comparison of restores.
 */
final class TestImages {
    static final int MIB = 1024 * 1024;
    /** Content kinds change every region, so a 1 MiB block may mix text, random bytes, zeros and a hole. */
    private static final int REGION = 256 * 1024;
    private static final String[] WORDS = ("block backup restore point pack record disk image sector volume "
            + "the of and to in is that for it as with was on be by this are or from at which an not have has "
            + "cairn repository snapshot incremental full zero hole sparse checksum index footer trailer header "
            + "manifest writer reader worker ring slot lock rename fsync commit journal extent inode").split(" ");

    /** What a restore must reproduce: the image's length and SHA-256 at the time it was backed up. */
    record Snapshot(long size, String sha256) {
    }

    private TestImages() {
    }

    /**
     * Writes a partly compressible image: per 256 KiB region, text of common and random words (45%), random bytes
     * (25%), written zeros (15%) or a hole (15%); the last region is always a hole (the length comes from
     * setLength).
     */
    static Path mixed(final Path file, final long size, final long seed) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final byte[] buf = new byte[REGION];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (long off = 0; off + REGION < size; off += REGION) {
                final int len = (int) Math.min(REGION, size - off);
                final int kind = rnd.nextInt(100);
                if (kind < 45) {
                    text(rnd, buf, len);
                } else if (kind < 70) {
                    random(rnd, buf, len);
                } else if (kind < 85) {
                    java.util.Arrays.fill(buf, 0, len, (byte) 0);
                } else {
                    continue; // hole
                }
                write(ch, buf, len, off);
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    /** Writes an image of random bytes (zstd cannot shrink it). */
    static Path incompressible(final Path file, final long size, final long seed) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final byte[] buf = new byte[MIB];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (long off = 0; off < size; off += MIB) {
                final int len = (int) Math.min(MIB, size - off);
                random(rnd, buf, len);
                write(ch, buf, len, off);
            }
        }
        return file;
    }

    /**
     * Changes {@code count} distinct blocks of the image (4 KiB of random bytes at a random place in each).
     *
     * @return the changed block numbers
     */
    static TreeSet<Long> modifyBlocks(final Path file, final int blockSize, final int count, final long seed)
            throws IOException {
        final long size = Files.size(file);
        final long blocks = (size + blockSize - 1) / blockSize;
        final SplittableRandom rnd = new SplittableRandom(seed);
        final TreeSet<Long> chosen = new TreeSet<>();
        while (chosen.size() < Math.min(count, blocks)) {
            chosen.add(rnd.nextLong(blocks));
        }
        final byte[] buf = new byte[4096];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long b : chosen) {
                final long start = b * blockSize;
                final int room = (int) Math.min(blockSize, size - start);
                final int len = Math.min(buf.length, room);
                final long off = start + (room > len ? rnd.nextInt(room - len) : 0);
                random(rnd, buf, len);
                write(ch, buf, len, off);
            }
        }
        return chosen;
    }

    /** Writes 4 KiB of random bytes at offset (so that the block there changes). */
    static void overwrite(final Path image, final long offset, final long seed) throws IOException {
        final byte[] b = new byte[4096];
        new SplittableRandom(seed).nextBytes(b);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            final ByteBuffer buf = ByteBuffer.wrap(b);
            long pos = offset;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        }
    }

    static Snapshot snapshot(final Path file) throws IOException {
        return new Snapshot(Files.size(file), sha256(file));
    }

    /** Asserts that {@code restored} has exactly the bytes of the snapshot. */
    static void assertRestored(final Snapshot expected, final Path restored) throws IOException {
        assertTrue(Files.isRegularFile(restored), "no restored file at " + restored);
        assertEquals(expected.size(), Files.size(restored), "restored length of " + restored);
        assertEquals(expected.sha256(), sha256(restored), "SHA-256 of " + restored + " (not bit-exact)");
    }

    static String sha256(final Path file) throws IOException {
        final MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        final ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void text(final SplittableRandom rnd, final byte[] buf, final int len) {
        int i = 0;
        int wordsOnLine = 0;
        while (i < len) {
            final String w;
            if (rnd.nextInt(10) == 0) {
                final char[] c = new char[3 + rnd.nextInt(8)];
                for (int k = 0; k < c.length; k++) {
                    c[k] = (char) ('a' + rnd.nextInt(26));
                }
                w = new String(c);
            } else {
                w = WORDS[rnd.nextInt(WORDS.length)];
            }
            for (int k = 0; k < w.length() && i < len; k++) {
                buf[i++] = (byte) w.charAt(k);
            }
            if (i < len) {
                buf[i++] = (byte) (++wordsOnLine % 12 == 0 ? '\n' : ' ');
            }
        }
    }

    private static void random(final SplittableRandom rnd, final byte[] buf, final int len) {
        for (int i = 0; i < len; i += 8) {
            long v = rnd.nextLong();
            for (int k = 0; k < 8 && i + k < len; k++) {
                buf[i + k] = (byte) v;
                v >>>= 8;
            }
        }
    }

    private static void write(final FileChannel ch, final byte[] buf, final int len, final long off)
            throws IOException {
        final ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
        long pos = off;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }
}
