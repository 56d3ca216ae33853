package io.cairn.format.point;

import io.cairn.format.MagicNumbers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.cairn.format.FormatFixtures.crc32c;

/**
 * An independent encoder of FORMAT.md section 5, written from the tables (not from PointWriter). Every field can be
 * given any value; the CRCs are always correct, so a reader can only reject the values themselves.
 */
final class PointBytes {
    int version = 1;
    int headerLength = 64;
    int blockSize;
    long virtualSize;
    long blockCount;
    long manifestOffset;
    long manifestLength;
    byte[] map;
    byte[] manifest;

    /** A consistent point: the header fields follow from the map and manifest. */
    PointBytes(final int blockSize, final long virtualSize, final byte[] map, final byte[] manifest) {
        this.blockSize = blockSize;
        this.virtualSize = virtualSize;
        this.blockCount = map.length / 16;
        this.manifestOffset = 64L + map.length;
        this.manifestLength = manifest.length;
        this.map = map;
        this.manifest = manifest;
    }

    byte[] build() {
        final byte[] f = new byte[64 + map.length + manifest.length + 32];
        final ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        final byte[] magic = MagicNumbers.magicBytes("cairn point v1");
        b.put(0, magic);
        b.putShort(8, (short) version);
        b.putShort(10, (short) headerLength);
        b.putInt(12, blockSize);
        b.putLong(16, virtualSize);
        b.putLong(24, blockCount);
        b.putLong(32, manifestOffset);
        b.putInt(40, (int) manifestLength);
        b.putInt(60, crc32c(f, 0, 60));
        b.put(64, map);
        b.put(64 + map.length, manifest);
        final int t = f.length - 32;
        b.putInt(t, crc32c(map, 0, map.length));
        b.putInt(t + 4, crc32c(manifest, 0, manifest.length));
        b.putLong(t + 8, f.length);
        b.put(t + 16, magic);
        b.putInt(t + 28, crc32c(f, t, 28));
        return f;
    }
}
