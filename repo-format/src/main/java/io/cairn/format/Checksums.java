package io.cairn.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C helpers (FORMAT.md section 3). java.util.zip.CRC32C is a JVM intrinsic; reuse one instance per thread. */
public final class Checksums {
    private Checksums() {
    }

    /** CRC32C of buf[position, limit) without moving buf's position. */
    public static int crc32c(final CRC32C crc, final ByteBuffer buf) {
        crc.reset();
        final int pos = buf.position();
        crc.update(buf);
        buf.position(pos);
        return (int) crc.getValue();
    }

    /** CRC32C of buf[from, from+length) (absolute), leaving position and limit unchanged. */
    public static int crc32c(final CRC32C crc, final ByteBuffer buf, final int from, final int length) {
        final int pos = buf.position();
        final int lim = buf.limit();
        try {
            buf.limit(from + length).position(from);
            crc.reset();
            crc.update(buf);
            return (int) crc.getValue();
        } finally {
            buf.limit(lim).position(pos);
        }
    }

    /** CRC32C of a byte array range. */
    public static int crc32c(final byte[] b, final int from, final int length) {
        final CRC32C crc = new CRC32C();
        crc.update(b, from, length);
        return (int) crc.getValue();
    }
}
