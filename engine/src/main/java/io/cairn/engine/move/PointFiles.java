package io.cairn.engine.move;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Byte-for-byte copies and comparisons of restore point files: a point file names its blocks by id only, so the
 * same bytes are a valid point in any repository that holds those blocks (FORMAT.md 5.2). Cold path (once per
 * point; a point file is 16 bytes per block).
 */
final class PointFiles {
    private static final int CHUNK = 1 << 20;

    private PointFiles() {
    }

    /** Copies {@code from} to {@code tmp} (replacing a leftover of an interrupted run) and fdatasyncs it. */
    static void copy(final Path from, final Path tmp) throws IOException {
        final ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            while (in.read(buf.clear()) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
            }
            out.force(false);
        }
    }

    /** True when both files have the same length and bytes. */
    static boolean sameBytes(final Path a, final Path b) throws IOException {
        try (FileChannel x = FileChannel.open(a, StandardOpenOption.READ);
             FileChannel y = FileChannel.open(b, StandardOpenOption.READ)) {
            final long size = x.size();
            if (size != y.size()) {
                return false;
            }
            final ByteBuffer bx = ByteBuffer.allocate(CHUNK);
            final ByteBuffer by = ByteBuffer.allocate(CHUNK);
            for (long pos = 0; pos < size; pos += CHUNK) {
                final int len = (int) Math.min(CHUNK, size - pos);
                readFully(x, bx.clear().limit(len), pos);
                readFully(y, by.clear().limit(len), pos);
                if (!Arrays.equals(bx.array(), 0, len, by.array(), 0, len)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static void readFully(final FileChannel ch, final ByteBuffer dst, final long position)
            throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            final int n = ch.read(dst, pos);
            if (n < 0) {
                throw new IOException("file shrank while being compared");
            }
            pos += n;
        }
    }
}
