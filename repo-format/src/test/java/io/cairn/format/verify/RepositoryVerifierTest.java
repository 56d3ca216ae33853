package io.cairn.format.verify;

import io.cairn.format.FormatFixtures;
import io.cairn.format.FormatFixtures.Rec;
import io.cairn.format.Repository;
import io.cairn.format.index.BlockId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.cairn.format.FormatFixtures.idHi;
import static io.cairn.format.FormatFixtures.idLo;
import static io.cairn.format.FormatFixtures.pointId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FORMAT.md 8, one test per kind of damage. Repository: pack 0 holds blocks 1-4, pack 1 holds block 5; point P1
 * (disk vm) maps [1, 2, zero, 3], point P2 (disk vm) maps [1, 5, 2]. They share blocks 1 and 2.
 */
class RepositoryVerifierTest {
    private static final long T0 = 1_795_000_000_000L;
    private static final String P1 = pointId(T0, 1);
    private static final String P2 = pointId(T0 + 1000, 2);
    private static final List<Rec> PACK0 = List.of(Rec.raw(1, 100), Rec.zstd(2, 5000, 300), Rec.raw(3, 64),
            Rec.raw(4, 10));

    @TempDir
    Path dir;
    private Repository repo;
    private Path pack0;
    private Path pack1;

    @BeforeEach
    void createRepository() throws IOException {
        repo = Repository.init(dir.resolve("repo"), FormatFixtures.config());
        pack0 = FormatFixtures.publishPack(repo, 0, PACK0);
        pack1 = FormatFixtures.publishPack(repo, 1, List.of(Rec.raw(5, 200)));
        FormatFixtures.publishPoint(repo, "vm", P1, new int[]{1, 2, 0, 3});
        FormatFixtures.publishPoint(repo, "vm", P2, new int[]{1, 5, 2});
    }

    private VerifyReport verify() throws IOException {
        return new RepositoryVerifier(repo, null, s -> { }).run();
    }

    /** Offset of record i of pack 0. */
    private static long recordOffset(final int i) {
        long off = 64;
        for (int k = 0; k < i; k++) {
            off += 40 + PACK0.get(k).stored().length;
        }
        return off;
    }

    private static <T extends Finding> List<T> only(final VerifyReport r, final Class<T> type) {
        return r.findings().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static Finding.DamagedPoint damaged(final VerifyReport r, final String id) {
        return r.damagedPoints().stream().filter(p -> p.pointId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void shouldVerifyCleanWhenTwoPointsShareBlocks() throws IOException {
        final VerifyReport r = verify();
        assertTrue(r.clean(), r.findings().toString());
        assertEquals(List.of(), r.findings());
        assertEquals(List.of(P1, P2), r.intactPoints());
        assertEquals(List.of(P1, P2), r.points().stream().map(PointHealth::id).toList());
        assertEquals(List.of(), r.newDamage());
        assertFalse(r.ledgerNeedsUpdate());
        assertEquals(2, r.packsChecked());
        assertEquals(5, r.recordsChecked());
        assertEquals(2, r.pointsChecked());
        assertEquals(0, r.reclaimableBytes());
        assertFalse(r.deep());
    }

    @Test
    void verifyShouldReportDamagedRecordAndOnlyReferencingPointWhenStoredByteFlipped() throws IOException {
        FormatFixtures.flipByte(pack0, recordOffset(2) + 40 + 17, 0x04); // block 3: only P1 block 3 uses it
        final VerifyReport r = verify();
        assertFalse(r.clean());
        final List<Finding.DamagedRecord> records = only(r, Finding.DamagedRecord.class);
        assertEquals(1, records.size());
        assertEquals(pack0, records.getFirst().pack());
        assertEquals(recordOffset(2), records.getFirst().offset());
        assertEquals(BlockId.toHex(idHi(3), idLo(3)), records.getFirst().blockId());
        assertTrue(records.getFirst().detail().contains("data checksum"), records.getFirst().detail());
        assertEquals(1, r.damagedPoints().size());
        final Finding.DamagedPoint p1 = damaged(r, P1);
        assertEquals("vm", p1.disk());
        assertEquals(1, p1.badBlocks());
        assertArrayEquals(new long[]{3}, p1.firstBadBlocks());
        assertEquals(List.of(P2), r.intactPoints());
    }

    @Test
    void verifyShouldReportBothPointsWhenSharedBlockDamaged() throws IOException {
        FormatFixtures.flipByte(pack0, recordOffset(1) + 40, 0x80); // block 2: P1 block 1, P2 block 2
        final VerifyReport r = verify();
        assertEquals(1, only(r, Finding.DamagedRecord.class).size());
        assertArrayEquals(new long[]{1}, damaged(r, P1).firstBadBlocks());
        assertArrayEquals(new long[]{2}, damaged(r, P2).firstBadBlocks());
        assertEquals(List.of(), r.intactPoints());
    }

    @Test
    void verifyShouldReportMissingBlocksWhenPackDeleted() throws IOException {
        Files.delete(pack1);
        final VerifyReport r = verify();
        assertFalse(r.clean());
        assertEquals(1, r.damagedPoints().size());
        final Finding.DamagedPoint p2 = damaged(r, P2);
        assertEquals(1, p2.badBlocks());
        assertArrayEquals(new long[]{1}, p2.firstBadBlocks());
        assertEquals(List.of(P1), r.intactPoints());
    }

    @Test
    void verifyShouldReportDamagedPackWhenTrailerBroken() throws IOException {
        FormatFixtures.flipByte(pack1, Files.size(pack1) - 1, 0x01);
        final VerifyReport r = verify();
        final List<Finding.DamagedPack> packs = only(r, Finding.DamagedPack.class);
        assertEquals(1, packs.size());
        assertEquals(pack1, packs.getFirst().path());
        assertArrayEquals(new long[]{1}, damaged(r, P2).firstBadBlocks());
        // kept for repair: a damaged pack is never offered to compact as free space
        assertEquals(List.of(), only(r, Finding.Reclaimable.class));
        assertEquals(0, r.reclaimableBytes());
    }

    @Test
    void verifyShouldStayCleanAndReportReclaimableWhenTmpLeftoverAndUnreferencedPack() throws IOException {
        final Path leftover = Files.write(repo.tmpDir().resolve("0badc0de.pack.tmp"), new byte[1234]);
        final Path unreferenced = FormatFixtures.publishPack(repo, 2, List.of(Rec.raw(6, 50)));
        final VerifyReport r = verify();
        assertTrue(r.clean(), r.findings().toString());
        final List<Finding.Reclaimable> reclaimable = only(r, Finding.Reclaimable.class);
        assertEquals(2, reclaimable.size(), reclaimable.toString());
        assertTrue(reclaimable.stream().anyMatch(f -> f.path().equals(leftover) && f.bytes() == 1234));
        assertTrue(reclaimable.stream().anyMatch(f -> f.path().equals(unreferenced)));
        assertEquals(1234 + Files.size(unreferenced), r.reclaimableBytes());
        assertEquals(List.of(P1, P2), r.intactPoints());
        assertFalse(reclaimable.getFirst().isDamage());
    }

    @Test
    void verifyShouldHonourDeepCheckWhenItRejectsOneId() throws IOException {
        final List<String> seen = new ArrayList<>();
        final RepositoryVerifier.DeepCheck deep = (stored, codec, rawLength, hi, lo) -> {
            final byte[] b = new byte[stored.remaining()];
            stored.duplicate().get(b);
            final Rec expected = hi == idHi(5) ? Rec.raw(5, 200) : PACK0.get((int) (hi & 0xF) - 1);
            assertArrayEquals(expected.stored(), b, "deep check gets the stored bytes");
            assertEquals(expected.codec(), codec);
            assertEquals(expected.rawLength(), rawLength);
            seen.add(BlockId.toHex(hi, lo));
            return hi == idHi(2) && lo == idLo(2) ? "hash mismatch" : null;
        };
        final VerifyReport r = new RepositoryVerifier(repo, deep, s -> { }).run();
        assertTrue(r.deep());
        assertEquals(5, seen.size());
        final List<Finding.DamagedRecord> records = only(r, Finding.DamagedRecord.class);
        assertEquals(1, records.size());
        assertTrue(records.getFirst().detail().contains("hash mismatch"), records.getFirst().detail());
        assertArrayEquals(new long[]{1}, damaged(r, P1).firstBadBlocks());
        assertArrayEquals(new long[]{2}, damaged(r, P2).firstBadBlocks());
    }

    @Test
    void verifyShouldReportDamagedPointWhenBlockMapByteFlipped() throws IOException {
        FormatFixtures.flipByte(repo.pointPath("vm", P2), 64 + 16 + 3, 0x10);
        final VerifyReport r = verify();
        assertEquals(1, r.damagedPoints().size());
        assertTrue(damaged(r, P2).detail().contains("block map checksum"), damaged(r, P2).detail());
        assertEquals(List.of(P1), r.intactPoints());
    }

    @Test
    void verifyShouldNotCallAnyPackReclaimableWhenAPointFileIsUnreadable() throws IOException {
        // P2 alone references pack 1; once P2's file is unreadable nobody knows that, so pack 1 must not look free
        FormatFixtures.flipByte(repo.pointPath("vm", P2), 3, 0x01);
        final VerifyReport r = verify();
        assertFalse(r.clean());
        assertEquals(List.of(P2), r.damagedPoints().stream().map(Finding.DamagedPoint::pointId).toList());
        assertEquals(List.of(), only(r, Finding.Reclaimable.class));
        assertEquals(0, r.reclaimableBytes());
        assertEquals(1, only(r, Finding.Warning.class).size());
    }

    @Test
    void verifyShouldReportDamagedPointWhenManifestNamesAnotherDisk() throws IOException {
        final Path p = repo.pointPath("vm", P1);
        final Path moved = repo.dir().resolve("points/db/" + P1 + ".point");
        Files.createDirectories(moved.getParent());
        Files.move(p, moved);
        final VerifyReport r = verify();
        assertTrue(damaged(r, P1).detail().contains("manifest id/disk differ"));
        assertEquals("db", damaged(r, P1).disk());
    }

    @Test
    void verifyShouldServeBlockFromIntactCopyWhenOtherCopyDamaged() throws IOException {
        final Path copy = FormatFixtures.publishPack(repo, 2, List.of(PACK0.get(2))); // block 3 again
        FormatFixtures.flipByte(pack0, recordOffset(2) + 40, 0x01);
        final VerifyReport r = verify();
        final List<Finding.DamagedRecord> records = only(r, Finding.DamagedRecord.class);
        assertEquals(1, records.size());
        assertTrue(records.getFirst().superseded());
        assertFalse(records.getFirst().isDamage(), "a bad record superseded by a good copy is no damage");
        assertTrue(r.clean(), r.findings().toString());
        assertEquals(List.of(), r.damagedPoints());
        assertEquals(List.of(P2), r.intactPoints());
        assertEquals(List.of(P1), r.pointsWith(PointHealth.Status.HEALED), "P1 referenced the bad record");
        assertEquals(1, r.newDamage().size(), "found now, not yet in the ledger");
        assertTrue(only(r, Finding.Reclaimable.class).stream().noneMatch(f -> f.path().equals(copy)));
    }

    @Test
    void verifyShouldReportDamagedPackWhenHeaderIdDiffersFromFileName() throws IOException {
        final Path renamed = pack1.resolveSibling("b1" + pack1.getFileName().toString().substring(2));
        Files.move(pack1, renamed);
        final VerifyReport r = verify();
        assertTrue(only(r, Finding.DamagedPack.class).stream().anyMatch(f -> f.path().equals(renamed)
                && f.detail().contains("differs from the file name")));
    }

    @Test
    void verifyShouldWarnButStayCleanWhenStrayEntryInPoints() throws IOException {
        Files.writeString(repo.dir().resolve("points/notes.txt"), "x");
        final VerifyReport r = verify();
        assertTrue(r.clean());
        assertEquals(1, only(r, Finding.Warning.class).size());
        assertTrue(only(r, Finding.Warning.class).getFirst().describe().contains("notes.txt"));
    }
}
