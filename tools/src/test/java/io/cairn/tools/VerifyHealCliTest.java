package io.cairn.tools;

import io.cairn.format.Checksums;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackReader;
import io.cairn.format.point.PointReader;
import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import io.cairn.tools.TestImages.Snapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.assertVerifyNamesDamagedPoint;
import static io.cairn.tools.CliChecks.backup;
import static io.cairn.tools.CliChecks.init;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Health check with repair through the real CLI (FORMAT.md section 11): verify names each restore point intact,
 * healed or damaged (with block numbers), records damaged records in REPO/health/damaged, the next backup stores
 * those blocks again, and the points that needed them become healed and restore bit-exact.
 * <p>
 * What each check catches: the light check (CRC32C of every record header and stored bytes) catches any change
 * to a record after it was written; only the deep check (decompress, re-hash) catches bytes that were already wrong
 * when their CRC was computed, which the test builds by flipping a byte and rewriting both CRCs.
 */
class VerifyHealCliTest {
    private static final int BLOCK = 64 * 1024;
    private static final String PAUSED = "cairn-debug-paused: ";

    @TempDir
    Path dir;
    private Path repo;
    private Path image;

    @BeforeEach
    void createRepository() throws IOException {
        repo = dir.resolve("repo");
        init(repo, "--block-size", Integer.toString(BLOCK));
        image = TestImages.mixed(dir.resolve("a.img"), 3L * TestImages.MIB, 7);
    }

    @Test
    void verifyShouldNameDamagedPointsThenHealedWhenNextBackupStoresTheBlockAgain() throws IOException {
        final String p1 = backup(repo, "a", image);
        final Snapshot s1 = TestImages.snapshot(image);
        final long changed = dataBlock(p1, 0);
        overwriteBlock(changed, 1);
        final String p2 = backup(repo, "a", image);
        final Snapshot s2 = TestImages.snapshot(image);
        final long shared = dataBlock(p1, changed + 1); // unchanged: both points use its one record
        flipStoredByte(p1, shared, false);

        final Result v = assertVerifyNamesDamagedPoint(repo, p1);
        assertTrue(v.stdoutLines().contains("damaged restore point " + p1 + " (disk a): blocks missing or damaged; "
                + "1 bad block(s): " + shared), v::describe);
        assertTrue(v.stdoutLines().contains("damaged restore point " + p2 + " (disk a): blocks missing or damaged; "
                + "1 bad block(s): " + shared), v::describe);
        assertTrue(v.stdout().contains("recorded 1 newly damaged record(s)"), v::describe);
        assertEquals(1, ledgerEntries().size(), "one entry in the ledger");
        assertStatuses(Map.of(p1, "damaged", p2, "damaged"), List.of(Long.toString(shared)), false);

        final String p3 = backup(repo, "a", image); // hash comparison: the damaged id misses the index
        final Result healed = assertVerifyClean(repo);
        assertTrue(healed.stdoutLines().contains("healed restore point " + p1 + " (disk a): 1 block(s) had a damaged"
                + " record and now have an intact copy"), healed::describe);
        assertTrue(healed.stdout().contains("healed restore point " + p2), healed::describe);
        assertTrue(healed.stdoutLines().contains("intact restore point " + p3 + " (disk a)"), healed::describe);
        assertTrue(healed.stdout().contains("superseded by an intact copy"), healed::describe);
        assertTrue(healed.stderr().contains("(1 intact, 2 healed, 0 damaged)"), healed::describe);
        assertStatuses(Map.of(p1, "healed", p2, "healed", p3, "intact"), List.of(), false);
        assertEquals(1, ledgerEntries().size(), "verify prunes nothing and adds nothing twice");
        assertRestores(repo, "a", p1, s1, dir.resolve("p1.img"));
        assertRestores(repo, "a", p2, s2, dir.resolve("p2.img"));
    }

    @Test
    void verifyShouldKeepOldPointDamagedWhenSourceChangedTheDamagedBlock() throws IOException {
        final String p1 = backup(repo, "a", image);
        final long block = dataBlock(p1, 3);
        flipStoredByte(p1, block, false);
        assertVerifyNamesDamagedPoint(repo, p1);
        overwriteBlock(block, 2);
        final Snapshot s2 = TestImages.snapshot(image);

        final String p2 = backup(repo, "a", image);

        final Result v = assertVerifyNamesDamagedPoint(repo, p1);
        assertTrue(v.stdoutLines().contains("intact restore point " + p2 + " (disk a)"), v::describe);
        assertTrue(v.stdout().contains("1 bad block(s): " + block), v::describe);
        assertStatuses(Map.of(p1, "damaged", p2, "intact"), List.of(Long.toString(block)), false);
        assertRestores(repo, "a", p2, s2, dir.resolve("p2.img"));
    }

    @Test
    void deepVerifyShouldFindContentWhoseChecksumsWereComputedOverBadBytesAndBackupShouldHealIt() throws IOException {
        final String p1 = backup(repo, "a", image);
        final Snapshot s1 = TestImages.snapshot(image);
        final long block = dataBlock(p1, 2);
        flipStoredByte(p1, block, true); // CRCs rewritten: only a re-hash can tell

        final Result light = assertVerifyClean(repo);
        assertTrue(light.stdoutLines().contains("intact restore point " + p1 + " (disk a)"), light::describe);
        assertFalse(Files.exists(repo.resolve("health/damaged")), "the light check found nothing to record");

        final Result deep = assertVerifyNamesDamagedPoint(repo, p1, "--deep");
        assertTrue(deep.stdout().contains("1 bad block(s): " + block), deep::describe);
        assertEquals(1, ledgerEntries().size());
        assertStatuses(Map.of(p1, "damaged"), List.of(Long.toString(block)), true);
        // recorded, the damage is seen by the light check too (it trusts the ledger over the CRC)
        assertVerifyNamesDamagedPoint(repo, p1);

        final String p2 = backup(repo, "a", image);
        assertStatuses(Map.of(p1, "healed", p2, "intact"), List.of(), false);
        assertStatuses(Map.of(p1, "healed", p2, "intact"), List.of(), true);
        assertRestores(repo, "a", p1, s1, dir.resolve("p1.img"));
    }

    @Test
    void verifyShouldReportButNotRecordWhenABackupHoldsTheLock() throws IOException {
        final String p1 = backup(repo, "a", image);
        final long block = dataBlock(p1, 0);
        flipStoredByte(p1, block, false);
        final Path other = TestImages.mixed(dir.resolve("b.img"), TestImages.MIB, 8);

        try (Running running = cairn().env("CAIRN_DEBUG_PAUSE_AT", "before-point-finish")
                .start("backup", "--repo", repo.toString(), "--disk", "b", other.toString())) {
            assertEquals(PAUSED + "before-point-finish", running.awaitStderrLine(PAUSED));

            final Result v = assertVerifyNamesDamagedPoint(repo, p1);
            assertTrue(v.stdout().contains("could not record 1 newly damaged record(s)")
                    && v.stdout().contains("locked"), v::describe);
            assertTrue(v.stderr().contains("new damage NOT recorded"), v::describe);
            assertFalse(Files.exists(repo.resolve("health/damaged")));
            final Result json = exec("verify", "--repo", repo.toString(), "--json");
            assertEquals(Cairn.FAILED, json.exitCode(), json::describe);
            @SuppressWarnings("unchecked")
            final Map<String, Object> ledger = (Map<String, Object>) MiniJson.object(json.stdout())
                    .get("damage_ledger");
            assertEquals(Boolean.FALSE, ledger.get("recorded"), json::describe);
            assertEquals(1, ((java.math.BigDecimal) ledger.get("new_damaged_records")).intValueExact(),
                    json::describe);
            assertTrue(((String) ledger.get("problem")).contains("locked"), json::describe);
            running.kill9();
        }
        final Result after = assertVerifyNamesDamagedPoint(repo, p1);
        assertTrue(after.stdout().contains("recorded 1 newly damaged record(s)"), after::describe);
        assertEquals(1, ledgerEntries().size());
    }

    @Test
    void verifyShouldRewriteLedgerWhenItIsCorrupt() throws IOException {
        final String p1 = backup(repo, "a", image);
        final long block = dataBlock(p1, 1);
        flipStoredByte(p1, block, false);
        assertVerifyNamesDamagedPoint(repo, p1);
        final Path ledger = repo.resolve("health/damaged");
        final byte[] bytes = Files.readAllBytes(ledger);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(ledger, bytes);

        final Result v = assertVerifyNamesDamagedPoint(repo, p1);

        assertTrue(v.stdout().contains("warning: damaged-block ledger unreadable"), v::describe);
        assertTrue(v.stdout().contains("recorded 1 newly damaged record(s)"), v::describe);
        assertEquals(1, ledgerEntries().size());
        final Result again = assertVerifyNamesDamagedPoint(repo, p1);
        assertFalse(again.stdout().contains("unreadable") || again.stdout().contains("recorded"), again::describe);
    }

    /** verify [--deep] --json: every point's status as expected; damaged ones list exactly damagedBlocks. */
    private void assertStatuses(final Map<String, String> expected, final List<String> damagedBlocks,
                                final boolean deep) {
        final Result r = deep ? exec("verify", "--repo", repo.toString(), "--deep", "--json")
                : exec("verify", "--repo", repo.toString(), "--json");
        final boolean anyDamaged = expected.containsValue("damaged");
        assertEquals(anyDamaged ? Cairn.FAILED : Cairn.OK, r.exitCode(), r::describe);
        final Map<String, Object> top = MiniJson.object(r.stdout());
        assertEquals(deep, top.get("deep"));
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> points = (List<Map<String, Object>>) top.get("points");
        assertEquals(expected.size(), points.size(), r::describe);
        for (Map<String, Object> p : points) {
            final String id = (String) p.get("id");
            assertEquals(expected.get(id), p.get("status"), () -> id + "\n" + r.describe());
            assertEquals("a", p.get("disk"));
            assertEquals(p.get("status").equals("damaged") ? damagedBlocks : List.of(), p.get("damaged_blocks"),
                    () -> id + "\n" + r.describe());
        }
    }

    private List<String> ledgerEntries() throws IOException {
        return Files.readAllLines(repo.resolve("health/damaged")).stream().filter(l -> l.startsWith("damaged="))
                .toList();
    }

    /** The first block at or after {@code from} that holds data (a non-zero id) in the point. */
    private long dataBlock(final String pointId, final long from) throws IOException {
        try (PointReader p = PointReader.open(repo.resolve("points/a/" + pointId + ".point"))) {
            for (long b = from; b < p.blockCount(); b++) {
                if (p.idHi(b) != 0 || p.idLo(b) != 0) {
                    return b;
                }
            }
        }
        throw new AssertionError("no data block at or after " + from);
    }

    /** Writes random bytes over one block of the source image. */
    private void overwriteBlock(final long block, final long seed) throws IOException {
        final byte[] b = new byte[BLOCK];
        new SplittableRandom(seed).nextBytes(b);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(block * BLOCK);
            f.write(b);
        }
    }

    /**
     * Flips a stored byte of the record holding block {@code block} of the point. With {@code rewriteCrcs}, also
     * rewrites the record's data CRC and header CRC, as if the bytes had been wrong before they were checksummed.
     */
    private void flipStoredByte(final String pointId, final long block, final boolean rewriteCrcs)
            throws IOException {
        final long hi;
        final long lo;
        try (PointReader p = PointReader.open(repo.resolve("points/a/" + pointId + ".point"))) {
            hi = p.idHi(block);
            lo = p.idLo(block);
        }
        try (var packs = Files.walk(repo.resolve("packs"))) {
            for (Path pack : packs.filter(f -> f.toString().endsWith(".pack")).toList()) {
                try (PackReader r = PackReader.open(pack)) {
                    for (int i = 0; i < r.recordCount(); i++) {
                        if (r.idHi(i) == hi && r.idLo(i) == lo) {
                            flip(pack, r.recordOffset(i), r.storedLength(i), rewriteCrcs);
                            return;
                        }
                    }
                }
            }
        }
        fail("no record holds block " + block);
    }

    private static void flip(final Path pack, final long record, final int storedLength, final boolean rewriteCrcs)
            throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
            final byte[] rec = new byte[BlockRecordLayout.HEADER_LENGTH + storedLength];
            f.seek(record);
            f.readFully(rec);
            final int at = BlockRecordLayout.HEADER_LENGTH + storedLength / 2;
            rec[at] ^= 0x5a;
            if (rewriteCrcs) {
                final ByteBuffer le = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
                le.putInt(BlockRecordLayout.DATA_CRC_OFFSET,
                        Checksums.crc32c(rec, BlockRecordLayout.HEADER_LENGTH, storedLength));
                le.putInt(BlockRecordLayout.HEADER_CRC_OFFSET,
                        Checksums.crc32c(rec, 0, BlockRecordLayout.HEADER_CRC_OFFSET));
            }
            f.seek(record);
            f.write(rec);
        }
    }
}
