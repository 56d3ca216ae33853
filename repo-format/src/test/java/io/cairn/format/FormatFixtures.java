package io.cairn.format;

import io.cairn.format.pack.PackWriter;
import io.cairn.format.pack.SealedPack;
import io.cairn.format.point.Manifest;
import io.cairn.format.point.PointWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Shared test data for repo-format: fixed ids, deterministic block contents, and small writers for packs and points.
 * repo-format never hashes, so test block ids are a fixed pattern ({@link #idHi}, {@link #idLo}), not XXH3-128.
 */
public final class FormatFixtures {
    /** The smallest legal block size keeps test files small. */
    public static final int BLOCK_SIZE = 65_536;
    public static final String REPOSITORY_ID = "0123456789abcdef0123456789abcdef";
    public static final Instant CREATED = Instant.parse("2026-11-25T15:00:00Z");

    private FormatFixtures() {
    }

    /** One record to append: id number n (see {@link #idHi}), codec, raw length and the stored bytes. */
    public record Rec(int n, int codec, int rawLength, byte[] stored) {
        /** A codec-0 record whose stored bytes are the raw bytes. */
        public static Rec raw(final int n, final int length) {
            return new Rec(n, 0, length, bytes(n, length));
        }

        /** A codec-1 record; repo-format does not decompress, so the "frame" is just storedLength bytes. */
        public static Rec zstd(final int n, final int rawLength, final int storedLength) {
            return new Rec(n, 1, rawLength, bytes(n + 1000, storedLength));
        }

        public long idHi() {
            return FormatFixtures.idHi(n);
        }

        public long idLo() {
            return FormatFixtures.idLo(n);
        }
    }

    /** A repository config with fixed id and time, block size 64 KiB. */
    public static RepositoryConfig config() {
        return new RepositoryConfig(1, REPOSITORY_ID, CREATED, BLOCK_SIZE, RepositoryConfig.XXH3_128, "zstd", 3,
                RepositoryConfig.MIN_PACK_SIZE);
    }

    /** High half of test block id n (never zero). */
    public static long idHi(final int n) {
        return 0xB10C_1D00_0000_0000L | n;
    }

    /** Low half of test block id n. */
    public static long idLo(final int n) {
        return 0x9E37_79B9_7F4A_7C15L * (n + 1);
    }

    /** Deterministic pseudo-random bytes. */
    public static byte[] bytes(final int seed, final int length) {
        final byte[] b = new byte[length];
        final SplittableRandom r = new SplittableRandom(seed * 0x5DEECE66DL + 11);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    /** A fixed 16-byte pack id for n. */
    public static byte[] packId(final int n) {
        final byte[] id = new byte[16];
        for (int i = 0; i < 16; i++) {
            id[i] = (byte) (0xa0 + n * 16 + i);
        }
        return id;
    }

    /** A UUIDv7 text id for the given time, with the sequence number as its random part. */
    public static String pointId(final long epochMillis, final int seq) {
        final long msb = (epochMillis << 16) | 0x7000L;
        final long lsb = 0x8000_0000_0000_0000L | seq;
        return new UUID(msb, lsb).toString();
    }

    public static int crc32c(final byte[] b, final int from, final int length) {
        final CRC32C c = new CRC32C();
        c.update(b, from, length);
        return (int) c.getValue();
    }

    /** A little-endian view of bytes. */
    public static ByteBuffer le(final byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** XORs one byte of a file with mask. */
    public static void flipByte(final Path file, final long offset, final int mask) throws IOException {
        final byte[] b = Files.readAllBytes(file);
        b[Math.toIntExact(offset)] ^= (byte) mask;
        Files.write(file, b);
    }

    /** Overwrites one byte of a file in place (cheaper than rewriting it in loops over every offset). */
    public static void writeByte(final Path file, final long offset, final byte value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{value}), offset);
        }
    }

    /** Writes and seals a pack of the given records at tmp. */
    public static SealedPack writePack(final Path tmp, final byte[] packId, final List<Rec> records)
            throws IOException {
        try (PackWriter w = new PackWriter(Hex.parse(REPOSITORY_ID, 16), Math.max(1, records.size()))) {
            w.begin(tmp, packId);
            for (Rec r : records) {
                w.append(r.idHi(), r.idLo(), r.codec(), r.rawLength(), ByteBuffer.wrap(r.stored()),
                        crc32c(r.stored(), 0, r.stored().length));
            }
            return w.seal();
        }
    }

    /** Writes a pack of records into the repository and publishes it. */
    public static Path publishPack(final Repository repo, final int packNo, final List<Rec> records)
            throws IOException {
        final byte[] id = packId(packNo);
        return repo.publishPack(writePack(repo.packTmpPath(Hex.of(id)), id, records));
    }

    /** A manifest naming the point and disk, plus a few descriptive fields. */
    public static Manifest manifest(final String pointId, final String disk, final long virtualSize) {
        return new Manifest().put(Manifest.ID, pointId).put(Manifest.DISK, disk).put(Manifest.TYPE, "full")
                .put(Manifest.PARENT, "").put(Manifest.CREATED, "2026-11-25T15:00:09Z")
                .put(Manifest.VIRTUAL_SIZE, virtualSize).put(Manifest.BLOCK_SIZE, BLOCK_SIZE);
    }

    /**
     * Writes a point file whose block n holds test id {@code refs[n]} (0 = zero block), virtual size
     * {@code refs.length} full blocks.
     */
    public static void writePoint(final Path tmp, final int[] refs, final Manifest manifest) throws IOException {
        try (PointWriter w = PointWriter.create(tmp, BLOCK_SIZE, (long) refs.length * BLOCK_SIZE)) {
            for (int ref : refs) {
                if (ref == 0) {
                    w.putEntry(0, 0);
                } else {
                    w.putEntry(idHi(ref), idLo(ref));
                }
            }
            w.finish(manifest);
        }
    }

    /** Writes and publishes a point of disk with the given map (see {@link #writePoint}). */
    public static Path publishPoint(final Repository repo, final String disk, final String pointId, final int[] refs)
            throws IOException {
        final Path tmp = repo.pointTmpPath(pointId);
        writePoint(tmp, refs, manifest(pointId, disk, (long) refs.length * BLOCK_SIZE));
        return repo.publishPoint(disk, pointId, tmp);
    }
}
