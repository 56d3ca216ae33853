package io.cairn.format.verify;

import io.cairn.format.FormatFixtures;
import io.cairn.format.FormatFixtures.Rec;
import io.cairn.format.PackCatalog;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import io.cairn.format.health.DamageLedger;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockLocation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
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
 * Verify and the block index with a damaged-block ledger (FORMAT.md section 11). Pack 0 holds blocks 1-3; point P1
 * maps [1, 2, 3], P2 maps [2, 3]. Timestamps: P1 and P2 were written before "now", the ledger's entries are found now.
 */
class LedgerVerifyTest {
    private static final long T0 = 1_795_000_000_000L;
    private static final String P1 = pointId(T0, 1);
    private static final String P2 = pointId(T0 + 1000, 2);
    private static final List<Rec> PACK0 = List.of(Rec.raw(1, 100), Rec.raw(2, 300), Rec.raw(3, 64));

    @TempDir
    Path dir;
    private Repository repo;
    private Path pack0;

    @BeforeEach
    void createRepository() throws IOException {
        repo = Repository.init(dir.resolve("repo"), FormatFixtures.config());
        pack0 = FormatFixtures.publishPack(repo, 0, PACK0);
        FormatFixtures.publishPoint(repo, "vm", P1, new int[]{1, 2, 3});
        FormatFixtures.publishPoint(repo, "vm", P2, new int[]{2, 3});
    }

    private static long recordOffset(final int i) {
        long off = 64;
        for (int k = 0; k < i; k++) {
            off += 40 + PACK0.get(k).stored().length;
        }
        return off;
    }

    private VerifyReport verify() throws IOException {
        return new RepositoryVerifier(repo, null, s -> { }).run();
    }

    private void record(final List<DamageLedger.Entry> entries) throws IOException {
        try (RepositoryLock ignored = repo.lockForWrite("test")) {
            DamageLedger.add(repo, entries);
        }
    }

    private DamageLedger.Entry entryFor(final int record) {
        final Rec r = PACK0.get(record);
        return new DamageLedger.Entry(DamageLedger.packIdOf(pack0), recordOffset(record),
                BlockId.toHex(r.idHi(), r.idLo()), Instant.now());
    }

    @Test
    void verifyShouldTreatListedRecordAsDamagedWhenItsChecksumsStillPass() throws IOException {
        // what a deep check found (content that does not re-hash), recorded: a later light check must still see it
        record(List.of(entryFor(1)));

        final VerifyReport r = verify();

        assertFalse(r.clean());
        final List<Finding.DamagedRecord> records = r.findings().stream()
                .filter(Finding.DamagedRecord.class::isInstance).map(Finding.DamagedRecord.class::cast).toList();
        assertEquals(1, records.size());
        assertTrue(records.getFirst().listed());
        assertFalse(records.getFirst().superseded());
        assertEquals(List.of(P1, P2), r.pointsWith(PointHealth.Status.DAMAGED));
        final PointHealth p1 = r.points().getFirst();
        assertEquals(List.of("1"), p1.damagedBlocks().asStrings());
        assertEquals(List.of("0"), r.points().get(1).damagedBlocks().asStrings());
        assertEquals(List.of(), r.newDamage(), "already listed: nothing new to record");
    }

    @Test
    void verifyShouldCallPointsHealedAndNewPointIntactWhenGoodCopyStoredAfterDamage() throws IOException {
        FormatFixtures.flipByte(pack0, recordOffset(2) + 40 + 7, 0x20); // block 3: P1 block 2, P2 block 1
        final VerifyReport found = verify();
        assertEquals(List.of(P1, P2), found.pointsWith(PointHealth.Status.DAMAGED));
        assertEquals(1, found.newDamage().size());
        assertEquals(recordOffset(2), found.newDamage().getFirst().recordOffset());
        record(found.newDamage());

        // a later backup stores block 3 again in a new pack, and writes a new point P3 that uses it
        FormatFixtures.publishPack(repo, 1, List.of(PACK0.get(2)));
        final String p3 = pointId(System.currentTimeMillis() + 1000, 3);
        FormatFixtures.publishPoint(repo, "vm", p3, new int[]{3, 1});

        final VerifyReport healed = verify();
        assertTrue(healed.clean(), healed.findings().toString());
        assertEquals(List.of(P1, P2), healed.pointsWith(PointHealth.Status.HEALED));
        assertEquals(List.of(p3), healed.intactPoints(), "created after the damage was found: never referenced it");
        assertEquals(1, healed.points().getFirst().healedBlocks());
        assertEquals(List.of(), healed.newDamage());
    }

    @Test
    void verifyShouldListDamagedBlocksAsRangesWhenSeveralConsecutiveBlocksAreBad() throws IOException {
        final String p3 = pointId(T0 + 2000, 3);
        FormatFixtures.publishPoint(repo, "vm", p3, new int[]{1, 2, 2, 2, 0, 3, 1, 2});
        FormatFixtures.flipByte(pack0, recordOffset(1) + 40 + 1, 0x01); // block 2
        final VerifyReport r = verify();
        final PointHealth p = r.points().stream().filter(x -> x.id().equals(p3)).findFirst().orElseThrow();
        assertEquals(PointHealth.Status.DAMAGED, p.status());
        assertEquals(List.of("1-3", "7"), p.damagedBlocks().asStrings());
        assertEquals(4, p.damagedBlocks().count());
        assertArrayEquals(new long[]{1, 2, 3, 7}, r.damagedPoints().stream().filter(d -> d.pointId().equals(p3))
                .findFirst().orElseThrow().firstBadBlocks());
        assertTrue(p.describe().startsWith("damaged restore point " + p3) && p.describe().endsWith(": 1-3, 7"),
                p.describe());
    }

    @Test
    void catalogShouldSkipListedRecordAndServeTheIntactCopyWhenLedgerListsTheFirstCopy() throws IOException {
        final Path copy = FormatFixtures.publishPack(repo, 1, List.of(PACK0.get(0)));
        final List<Exception> damaged = new ArrayList<>();
        try (PackCatalog c = PackCatalog.load(repo, 0, damaged::add)) {
            assertEquals(BlockLocation.pack(0, recordOffset(0)), c.index().get(idHi(1), idLo(1)), "first copy wins");
        }
        record(List.of(entryFor(0)));

        try (PackCatalog c = PackCatalog.load(repo, 0, damaged::add)) {
            final int copyOrdinal = c.packPath(0).equals(copy) ? 0 : 1;
            assertEquals(BlockLocation.pack(copyOrdinal, 64), c.index().get(idHi(1), idLo(1)));
            assertEquals(1, c.skippedRecords());
            assertTrue(c.index().contains(idHi(2), idLo(2)));
        }
        record(List.of(entryFor(1)));
        try (PackCatalog c = PackCatalog.load(repo, 0, damaged::add)) {
            assertFalse(c.index().contains(idHi(2), idLo(2)), "no other copy: the id counts as absent");
        }
        assertEquals(List.of(), damaged);
    }

    @Test
    void catalogShouldIgnoreLedgerAndReportItWhenLedgerIsCorrupt() throws IOException {
        record(List.of(entryFor(0)));
        FormatFixtures.flipByte(DamageLedger.path(repo), 120, 0x01);
        final List<Exception> damaged = new ArrayList<>();
        try (PackCatalog c = PackCatalog.load(repo, 0, damaged::add)) {
            assertTrue(c.index().contains(idHi(1), idLo(1)));
        }
        assertEquals(1, damaged.size());
        assertTrue(damaged.getFirst().getMessage().contains("damaged-block ledger"), damaged.toString());

        final VerifyReport r = verify();
        assertTrue(r.ledgerUnreadable());
        assertTrue(r.ledgerNeedsUpdate());
        assertTrue(r.findings().stream().anyMatch(f -> f instanceof Finding.Warning w
                && w.text().contains("damaged-block ledger unreadable")), r.findings().toString());
    }
}
