package io.cairn.format;

import io.cairn.format.pack.PackWriter;
import io.cairn.format.pack.SealedPack;
import io.cairn.format.point.Manifest;
import io.cairn.format.point.PointWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Writes the golden format-v1 repository committed under {@code src/test/resources/golden/v1/good/}, with the
 * current writers and fixed inputs (repository id, pack id, point id, times), so the result is byte-for-byte
 * deterministic. GoldenRepositoryTest reads the committed copy on every build and regenerates it to prove the
 * writers still produce exactly these bytes.
 * <p>
 * Regenerate (only for a deliberate, documented format change, which v1 must never have):
 * {@code rm -r repo-format/src/test/resources/golden/v1/good} then run {@link #main} with the repo-format module as
 * working directory.
 * <p>
 * Contents: disk {@code vm1}, block size 64 KiB, virtual size 4 * 65536 + 1000 (5 blocks):
 * <pre>
 * block 0  65536 x 'A'   record 0, codec 1 (an 11-byte zstd frame with one RLE block)
 * block 1  zero block    not stored
 * block 2  65536 x 'B'   record 1, codec 1
 * block 3  65536 x 'A'   record 0 again (deduplicated)
 * block 4  1000 bytes    record 2, codec 0, byte i = (i * 31 + 7) mod 256
 * </pre>
 * Block ids are real XXH3-128 values (computed once with {@code xxh128sum} 0.8 and written here as constants), and
 * the zstd frames decompress with the reference {@code zstd}, so a deep verify passes too.
 * <p>
 * PackWriter stamps the pack header's {@code created} with the clock; {@link #normalizeCreated} then sets it to
 * {@link #CREATED} and recomputes the header CRC (FORMAT.md 4.1). Every other byte is the writers' own.
 */
public final class GoldenRepositoryV1 {
    public static final String REPOSITORY_ID = "601de700000000000000000000000001";
    public static final String PACK_ID = "601de7000000000000000000000000b1";
    public static final String POINT_ID = "01a21338-a4a8-7601-8000-601de7000001";
    public static final String DISK = "vm1";
    public static final Instant CREATED = Instant.parse("2026-11-25T15:00:00Z");
    public static final int BLOCK_SIZE = 65_536;
    public static final long VIRTUAL_SIZE = 4L * BLOCK_SIZE + 1000;
    /** XXH3-128 (canonical) of 65536 x 'A', 65536 x 'B' and the 1000-byte tail. */
    public static final String ID_A = "bcf50c5f451bf0f2d30078e92bd90255";
    public static final String ID_B = "10c8518dfb4bd158d0135695ecdb0644";
    public static final String ID_TAIL = "f534f51e82a81d29989765d0ea7a5ecd";
    /** Block map, block by block (null = zero block). */
    public static final String[] MAP = {ID_A, null, ID_B, ID_A, ID_TAIL};

    private GoldenRepositoryV1() {
    }

    public static void main(final String[] args) throws IOException {
        final Path target = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden/v1/good");
        write(target);
        System.out.println("wrote " + target.toAbsolutePath());
    }

    /** The repository config. */
    public static RepositoryConfig config() {
        return new RepositoryConfig(1, REPOSITORY_ID, CREATED, BLOCK_SIZE, RepositoryConfig.XXH3_128, "zstd", 3,
                RepositoryConfig.DEFAULT_PACK_SIZE);
    }

    /** An 11-byte zstd frame: single segment, content size 65536, one last RLE block repeating {@code b}. */
    public static byte[] rleFrame(final byte b) {
        return HexFormat.of().parseHex("28b52ffd" + "60" + "00ff" + "030008" + HexFormat.of().toHexDigits(b));
    }

    /** The raw bytes of block 4. */
    public static byte[] tail() {
        final byte[] t = new byte[1000];
        for (int i = 0; i < t.length; i++) {
            t[i] = (byte) (i * 31 + 7);
        }
        return t;
    }

    /** The point's manifest: every key of FORMAT.md 5.3. */
    public static Manifest manifest() {
        return new Manifest().put(Manifest.ID, POINT_ID).put(Manifest.DISK, DISK).put(Manifest.TYPE, "full")
                .put(Manifest.PARENT, "").put(Manifest.CREATED, "2026-11-25T15:00:09Z")
                .put(Manifest.STARTED, "2026-11-25T15:00:00Z").put(Manifest.VIRTUAL_SIZE, VIRTUAL_SIZE)
                .put(Manifest.BLOCK_SIZE, BLOCK_SIZE).put(Manifest.SOURCE, "/var/lib/images/vm1.img")
                .put(Manifest.SOURCE_IDENTITY, "dev=2049 ino=131 size=263144 mtime=2026-11-25T14:59:00Z")
                .put(Manifest.REPOSITORY_ID, REPOSITORY_ID).put(Manifest.CHANGE_DETECTION, "full-read")
                .put(Manifest.BLOCKS_TOTAL, 5).put(Manifest.BLOCKS_ZERO, 1).put(Manifest.BLOCKS_CHANGED, 4)
                .put(Manifest.BLOCKS_NEW, 3).put(Manifest.BYTES_READ, VIRTUAL_SIZE)
                .put(Manifest.BYTES_NEW_RAW, 2 * BLOCK_SIZE + 1000).put(Manifest.BYTES_STORED, 11 + 11 + 1000)
                .put(Manifest.DURATION_MS, 1234).put(Manifest.CAIRN_VERSION, "0.1.0");
    }

    /** Creates the golden repository in dir (new or empty). */
    public static void write(final Path dir) throws IOException {
        final Repository repo = Repository.init(dir, config());
        final SealedPack sealed = writePack(repo.packTmpPath(PACK_ID));
        normalizeCreated(sealed.tmpPath());
        repo.publishPack(sealed);
        final Path tmp = repo.pointTmpPath(POINT_ID);
        try (PointWriter w = PointWriter.create(tmp, BLOCK_SIZE, VIRTUAL_SIZE)) {
            for (String id : MAP) {
                final long[] hilo = id == null ? new long[2] : hiLo(id);
                w.putEntry(hilo[0], hilo[1]);
            }
            w.finish(manifest());
        }
        repo.publishPoint(DISK, POINT_ID, tmp);
    }

    /** The pack as PackWriter writes it (created = now). */
    public static SealedPack writePack(final Path tmp) throws IOException {
        final byte[] a = rleFrame((byte) 'A');
        final byte[] b = rleFrame((byte) 'B');
        final byte[] t = tail();
        try (PackWriter w = new PackWriter(Hex.parse(REPOSITORY_ID, 16), 16)) {
            w.begin(tmp, Hex.parse(PACK_ID, 16));
            append(w, ID_A, 1, BLOCK_SIZE, a);
            append(w, ID_B, 1, BLOCK_SIZE, b);
            append(w, ID_TAIL, 0, t.length, t);
            return w.seal();
        }
    }

    /** Sets the pack header's created field to {@link #CREATED} and recomputes the header CRC (bytes 0..59). */
    public static void normalizeCreated(final Path pack) throws IOException {
        final byte[] f = Files.readAllBytes(pack);
        final ByteBuffer le = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        le.putLong(48, CREATED.toEpochMilli());
        le.putInt(60, FormatFixtures.crc32c(f, 0, 60));
        Files.write(pack, f);
    }

    /** The two big-endian halves of a canonical hex id. */
    public static long[] hiLo(final String hex) {
        final ByteBuffer b = ByteBuffer.wrap(Hex.parse(hex, 16));
        return new long[]{b.getLong(), b.getLong()};
    }

    private static void append(final PackWriter w, final String id, final int codec, final int rawLength,
                               final byte[] stored) throws IOException {
        final long[] hilo = hiLo(id);
        w.append(hilo[0], hilo[1], codec, rawLength, ByteBuffer.wrap(stored),
                FormatFixtures.crc32c(stored, 0, stored.length));
    }
}
