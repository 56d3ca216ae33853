package io.cairn.format;

import io.cairn.format.pack.BlockRecordReader;
import io.cairn.format.pack.PackReader;
import io.cairn.format.point.PointReader;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.cairn.format.GoldenRepositoryV1.BLOCK_SIZE;
import static io.cairn.format.GoldenRepositoryV1.DISK;
import static io.cairn.format.GoldenRepositoryV1.MAP;
import static io.cairn.format.GoldenRepositoryV1.PACK_ID;
import static io.cairn.format.GoldenRepositoryV1.POINT_ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed format-v1 repository (src/test/resources/golden/v1/good, made by {@link GoldenRepositoryV1}) must
 * stay readable, verify clean, hold exactly the values it was written with, and equal what today's writers produce.
 */
class GoldenRepositoryTest {
    @TempDir
    Path tmp;
    private Path golden;
    private Repository repo;

    @BeforeEach
    void copyGolden() throws IOException, URISyntaxException {
        final Path committed = Path.of(GoldenRepositoryTest.class.getResource("/golden/v1/good/config").toURI())
                .getParent();
        golden = tmp.resolve("golden");
        for (Map.Entry<String, byte[]> e : files(committed).entrySet()) {
            final Path target = golden.resolve(e.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, e.getValue());
        }
        repo = Repository.open(golden); // tmp/ is not committed (git keeps no empty directories); open creates it
    }

    /** Every regular file under dir, by relative path with '/' separators. */
    private static Map<String, byte[]> files(final Path dir) throws IOException {
        final Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void shouldHaveExactlyTheCommittedFilesWhenListed() throws IOException {
        assertEquals(List.of("config", "packs/60/" + PACK_ID + ".pack", "points/vm1/" + POINT_ID + ".point"),
                List.copyOf(files(golden).keySet()));
        assertTrue(files(golden).values().stream().mapToInt(b -> b.length).sum() < 50 * 1024);
    }

    @Test
    void shouldOpenWithExpectedConfigWhenGoldenRead() {
        assertEquals(GoldenRepositoryV1.config(), repo.config());
        assertEquals("601de700000000000000000000000001", repo.config().repositoryId());
        assertEquals(65_536, repo.config().blockSize());
        assertEquals("zstd:3", repo.config().compressionSpec());
    }

    @Test
    void shouldListItsOnePointWhenGoldenRead() throws IOException {
        final List<CorruptRepositoryException> damaged = new ArrayList<>();
        final List<PointInfo> points = repo.listPoints(null, damaged::add);
        assertEquals(List.of(), damaged);
        assertEquals(1, points.size());
        final PointInfo p = points.getFirst();
        assertEquals(POINT_ID, p.id());
        assertEquals(DISK, p.disk());
        assertEquals(263_144, p.virtualSize());
        assertEquals(5, p.blockCount());
        assertEquals("full", p.manifest().get("type"));
        assertEquals("", p.manifest().get("parent"));
        assertEquals("2026-11-25T15:00:09Z", p.manifest().get("created"));
        assertEquals("/var/lib/images/vm1.img", p.manifest().get("source"));
        assertEquals(1, p.manifest().getLong("blocks_zero", -1));
        assertEquals(1022, p.manifest().getLong("bytes_stored", -1));
        assertEquals(21, p.manifest().asMap().size());
    }

    @Test
    void shouldVerifyCleanWhenGoldenChecked() throws IOException {
        final VerifyReport r = new RepositoryVerifier(repo, null, s -> { }).run();
        assertTrue(r.clean(), r.findings().toString());
        assertEquals(List.of(), r.findings());
        assertEquals(List.of(POINT_ID), r.intactPoints());
        assertEquals(1, r.packsChecked());
        assertEquals(3, r.recordsChecked());
    }

    @Test
    void shouldHoldTheWrittenIdsAndRecordsWhenGoldenParsed() throws IOException {
        try (PointReader r = PointReader.open(repo.pointPath(DISK, POINT_ID))) {
            r.verifyMap();
            for (int n = 0; n < MAP.length; n++) {
                final long[] expected = MAP[n] == null ? new long[2] : GoldenRepositoryV1.hiLo(MAP[n]);
                assertEquals(expected[0], r.idHi(n), "block " + n);
                assertEquals(expected[1], r.idLo(n), "block " + n);
            }
        }
        final Path pack = repo.packPath(PACK_ID);
        final byte[][] stored = {GoldenRepositoryV1.rleFrame((byte) 'A'), GoldenRepositoryV1.rleFrame((byte) 'B'),
                GoldenRepositoryV1.tail()};
        final String[] ids = {GoldenRepositoryV1.ID_A, GoldenRepositoryV1.ID_B, GoldenRepositoryV1.ID_TAIL};
        final long[] offsets = {64, 64 + 51, 64 + 102};
        final BlockRecordReader rr = new BlockRecordReader(BLOCK_SIZE);
        final ByteBuffer buf = ByteBuffer.allocate(BLOCK_SIZE);
        try (PackReader r = PackReader.open(pack)) {
            assertEquals(3, r.recordCount());
            assertEquals(GoldenRepositoryV1.CREATED.toEpochMilli(),
                    ByteBuffer.wrap(Files.readAllBytes(pack), 48, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
            for (int i = 0; i < 3; i++) {
                assertEquals(offsets[i], r.recordOffset(i));
                rr.read(r.channel(), pack, offsets[i], buf);
                final long[] id = GoldenRepositoryV1.hiLo(ids[i]);
                rr.requireId(pack, offsets[i], id[0], id[1]);
                assertEquals(i < 2 ? 1 : 0, rr.codec());
                assertEquals(i < 2 ? BLOCK_SIZE : 1000, rr.rawLength());
                final byte[] b = new byte[buf.remaining()];
                buf.get(b);
                assertArrayEquals(stored[i], b);
            }
        }
        assertEquals(1358, Files.size(pack));
    }

    @Test
    void shouldEqualTodaysPackWriterOutputExceptCreatedWhenPackRewritten() throws IOException {
        final long before = System.currentTimeMillis();
        final byte[] fresh = Files.readAllBytes(GoldenRepositoryV1.writePack(tmp.resolve("fresh.pack")).tmpPath());
        final long after = System.currentTimeMillis();
        final byte[] committed = Files.readAllBytes(repo.packPath(PACK_ID));
        final ByteBuffer le = ByteBuffer.wrap(fresh).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(le.getLong(48) >= before && le.getLong(48) <= after, "created is the clock");
        assertEquals(FormatFixtures.crc32c(fresh, 0, 60), le.getInt(60), "PackWriter's own header CRC");
        // the only difference allowed: the created field, and so the header CRC over it
        le.putLong(48, GoldenRepositoryV1.CREATED.toEpochMilli());
        le.putInt(60, FormatFixtures.crc32c(fresh, 0, 60));
        assertArrayEquals(committed, fresh);
    }

    @Test
    void shouldEqualEveryCommittedFileWhenRegenerated() throws IOException {
        final Path again = tmp.resolve("again");
        GoldenRepositoryV1.write(again);
        final Map<String, byte[]> expected = files(golden);
        final Map<String, byte[]> actual = files(again);
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), name);
        }
    }
}
