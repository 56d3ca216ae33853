package io.cairn.engine.compact;

import io.cairn.engine.Backups;
import io.cairn.engine.DiskImage;
import io.cairn.engine.retention.RetentionJob;
import io.cairn.engine.retention.RetentionPolicy;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.RepositoryLock;
import io.cairn.format.RepositoryLockedException;
import io.cairn.format.health.DamageLedger;
import io.cairn.format.index.BlockId;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackReader;
import io.cairn.format.point.PointReader;
import io.cairn.format.verify.Finding;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CompactJob} on real repositories: 64 KiB blocks and 1 MiB packs, three versions of a 96-block disk (each
 * backup changes the same third of the blocks), and the oldest point removed by retention, so the first backup's
 * packs are about a third garbage and the second backup's pack is wholly live until its point goes too.
 */
class CompactJobTest {
    private static final int K64 = 64 * 1024;
    private static final int BLOCKS = 96;

    @TempDir
    Path dir;
    private Repository repo;
    private final List<String> ids = new ArrayList<>();
    private final List<DiskImage> versions = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();

    @BeforeEach
    void threePointsOldestRemoved() throws Exception {
        repo = Repository.init(dir.resolve("repo"), new RepositoryConfig(RepositoryConfig.CURRENT_VERSION,
                Hex.of(Ids.random128()), Instant.now(), K64, RepositoryConfig.XXH3_128, "zstd", 1,
                RepositoryConfig.MIN_PACK_SIZE));
        DiskImage image = new DiskImage((long) BLOCKS * K64, K64);
        for (int b = 0; b < BLOCKS; b++) {
            image.unique(b, 100 + b);
        }
        for (int v = 0; v < 3; v++) {
            if (v > 0) {
                image = image.copy();
                for (int b = 0; b < BLOCKS; b += 3) {
                    image.unique(b, 1000 * v + b);
                }
            }
            versions.add(image);
            ids.add(Backups.backup(repo, "vm", image.writeDense(dir.resolve("v" + v + ".img"))).id());
        }
        new RetentionJob(repo, messages::add).run("vm", new RetentionPolicy(2, 0, 0, 0, 0), Instant.now(), false);
    }

    @Test
    void shouldReclaimGarbageAndKeepEveryPointBitExactWhenThresholdIsZero() throws Exception {
        final long before = packBytes();
        assertTrue(verify().reclaimableBytes() == 0, "a third of each old pack is garbage, no pack is wholly free");

        final CompactResult r = new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false));

        assertTrue(r.packsRewritten() > 0, r.toString());
        assertTrue(r.packsWritten() > 0, r.toString());
        assertEquals(before - packBytes(), r.bytesReclaimed(), "reported bytes equal the bytes gone from packs/");
        assertTrue(r.bytesReclaimed() > 0, r.toString());
        assertEquals(0, r.garbageBelowThresholdBytes());
        assertEquals(0, r.recordsFailed());
        assertEquals(List.of(), messages);
        assertRestores(1);
        assertRestores(2);
        final VerifyReport v = verify();
        assertTrue(v.clean(), v.findings().toString());
        assertEquals(0, v.reclaimableBytes());
        assertEquals(List.of(), repo.tmpFiles(), "no tmp leftover");

        final CompactResult again = new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false));
        assertEquals(0, again.packsRewritten() + again.packsDeleted() + again.packsWritten(), again.toString());
        assertEquals(0, again.bytesReclaimed());
    }

    @Test
    void shouldLeavePartlyUsedPacksWhenGarbageIsBelowThreshold() throws Exception {
        final long before = packBytes();

        final CompactResult r = new CompactJob(repo, messages::add).run(new CompactOptions(100, false, false));

        assertEquals(0, r.packsRewritten(), r.toString());
        assertTrue(r.packsBelowThreshold() > 0, r.toString());
        assertTrue(r.garbageBelowThresholdBytes() > 0, r.toString());
        assertEquals(before, packBytes());
        final CompactResult dry = new CompactJob(repo, messages::add).run(new CompactOptions(0, true, false));
        assertTrue(dry.dryRun());
        assertTrue(dry.bytesReclaimed() > 0 && dry.packsRewritten() == r.packsBelowThreshold(), dry.toString());
        assertEquals(before, packBytes(), "a dry run changes nothing");
    }

    @Test
    void shouldDeleteWhollyUnreferencedPackWhateverTheThreshold() throws Exception {
        new RetentionJob(repo, messages::add).run("vm", new RetentionPolicy(1, 0, 0, 0, 0), Instant.now(), false);
        final long reclaimable = verify().reclaimableBytes();
        assertTrue(reclaimable > 0, "the second backup's pack holds only blocks the third replaced");

        final CompactResult r = new CompactJob(repo, messages::add).run(new CompactOptions(100, false, false));

        assertTrue(r.packsDeleted() > 0, r.toString());
        assertEquals(reclaimable, r.bytesReclaimed());
        assertEquals(0, verify().reclaimableBytes());
        assertRestores(2);
    }

    @Test
    void shouldRefuseAndChangeNothingWhenARestorePointIsUnreadable() throws Exception {
        final PointInfo p = repo.findPoint("vm", ids.get(1));
        flipByte(p.path(), 64 + 16 * 5); // inside the block map: its CRC fails
        final TreeMap<String, Long> before = files();

        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false)));

        assertTrue(e.getMessage().contains(p.path().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("changed nothing"), e.getMessage());
        assertEquals(before, files());
    }

    @Test
    void shouldKeepPackAndNotCopyRecordWhenALiveRecordFailsItsCheck() throws Exception {
        // a live record of the first backup's packs: block 1 was never changed, so point 1 and 2 reference it
        final long[] id = blockId(ids.get(2), 1);
        final Path pack = packHolding(id);
        final long offset = recordOffset(pack, id);
        flipByte(pack, offset + BlockRecordLayout.HEADER_LENGTH + 7);
        final List<String> damageBefore = damage(verify());
        assertEquals(3, damageBefore.size(), "the record and both points that need it: " + damageBefore);

        final CompactResult r = new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false));

        assertEquals(1, r.recordsFailed(), r.toString());
        assertEquals(1, r.packsKeptForDamage(), r.toString());
        assertTrue(Files.exists(pack), "a pack with a record that fails its check is never deleted");
        assertTrue(messages.stream().anyMatch(m -> m.contains("damaged record not copied")), messages.toString());
        assertEquals(damageBefore, damage(verify()), "no new damage, the old one still named");
    }

    @Test
    void shouldNeverCopyALedgerListedRecordAndKeepItsPackWhileNoIntactCopyExists() throws Exception {
        // deep-only damage passes its CRC: only the damaged-block ledger (FORMAT.md section 11) says it is bad
        final long[] id = blockId(ids.get(2), 1);
        final Path pack = packHolding(id);
        final long offset = recordOffset(pack, id);
        try (RepositoryLock lock = repo.lockForWrite("test")) {
            DamageLedger.add(repo, List.of(new DamageLedger.Entry(DamageLedger.packIdOf(pack), offset,
                    BlockId.toHex(id[0], id[1]), Instant.now())));
        }

        final CompactResult r = new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false));

        assertTrue(Files.exists(pack), "the listed record is the only trace of a live block: its pack stays " + r);
        for (Path p : repo.packFiles()) {
            if (!p.equals(pack)) {
                assertEquals(-1, recordOffset(p, id), "the listed record was copied into " + p);
            }
        }
        assertEquals(1, r.liveBlocksMissing(), "the listed block has no intact copy: " + r);
    }

    @Test
    void shouldDeleteOldPacksWithoutCopyingAgainWhenAnInterruptedCompactLeftDuplicates() throws Exception {
        final List<Path> garbagePacks = copyLiveRecordsOfGarbagePacksIntoNewPack();
        final VerifyReport dup = verify();
        assertTrue(dup.clean(), "duplicates are not damage: " + dup.findings());
        assertEquals(List.of(ids.get(1), ids.get(2)), dup.intactPoints());

        final CompactResult r = new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false));

        assertEquals(0, r.blocksCopied(), "the new pack is wholly live and keeps every block: " + r);
        assertEquals(garbagePacks.size(), r.packsDeleted(), r.toString());
        for (Path p : garbagePacks) {
            assertFalse(Files.exists(p));
        }
        assertEquals(0, verify().reclaimableBytes());
        assertRestores(1);
        assertRestores(2);
    }

    @Test
    void shouldCopyIntactDuplicateWhenTheKeptCopyFailsItsCheck() throws Exception {
        final List<Path> garbagePacks = copyLiveRecordsOfGarbagePacksIntoNewPack();
        final long[] id = blockId(ids.get(2), 1);
        final Path copy = repo.packFiles().stream().filter(p -> !garbagePacks.contains(p))
                .filter(p -> recordOffsetUnchecked(p, id) > 0).findFirst().orElseThrow();
        flipByte(copy, recordOffset(copy, id) + BlockRecordLayout.HEADER_LENGTH + 3);

        final CompactResult r = new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false));

        assertEquals(1, r.recordsFailed(), r.toString());
        assertEquals(1, r.blocksCopied(), "the intact duplicate is copied before its pack goes: " + r);
        final VerifyReport v = verify();
        // the bad record has an intact copy (superseded), so the points that use the block are healed, not damaged
        assertEquals(List.of(ids.get(1), ids.get(2)), v.pointsWith(io.cairn.format.verify.PointHealth.Status.HEALED),
                v.findings().toString());
        assertTrue(v.damagedPoints().isEmpty(), v.findings().toString());
        assertTrue(v.findings().stream().anyMatch(f -> f instanceof Finding.DamagedRecord d && d.superseded()),
                "the damaged record itself is still named: " + v.findings());
        assertTrue(Files.exists(copy));
    }

    /** The state an interrupted compact leaves: live blocks of the partly used packs copied, old packs still there. */
    private List<Path> copyLiveRecordsOfGarbagePacksIntoNewPack() throws IOException {
        final List<Path> garbagePacks = new ArrayList<>();
        try (io.cairn.format.index.BlockIndex live = LiveSet.load(repo);
             PackRewriter w = new PackRewriter(repo)) {
            final io.cairn.format.pack.BlockRecordReader rr = new io.cairn.format.pack.BlockRecordReader(K64);
            final ByteBuffer buf = ByteBuffer.allocateDirect(K64);
            for (Path p : repo.packFiles()) {
                try (PackReader r = PackReader.open(p)) {
                    boolean garbage = false;
                    for (int i = 0; i < r.recordCount(); i++) {
                        garbage |= !live.contains(r.idHi(i), r.idLo(i));
                    }
                    if (!garbage) {
                        continue;
                    }
                    garbagePacks.add(p);
                    for (int i = 0; i < r.recordCount(); i++) {
                        if (live.contains(r.idHi(i), r.idLo(i))) {
                            rr.read(r.channel(), p, r.recordOffset(i), buf);
                            w.copy(r.idHi(i), r.idLo(i), rr.codec(), rr.rawLength(), buf, rr.dataCrc());
                        }
                    }
                }
            }
            w.finish();
        }
        assertFalse(garbagePacks.isEmpty());
        return garbagePacks;
    }

    private static long recordOffsetUnchecked(final Path pack, final long[] id) {
        try {
            return recordOffset(pack, id);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldNeitherRewriteNorDeleteADamagedPack() throws Exception {
        final long[] id = blockId(ids.get(2), 1); // a block of the first backup, in a pack that is partly garbage
        final Path pack = packHolding(id);
        final long length = Files.size(pack);
        flipByte(pack, length - 10); // in the trailer: the whole pack fails its checks
        final List<String> damageBefore = damage(verify());

        final CompactResult r = new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false));

        assertEquals(1, r.packsDamaged(), r.toString());
        assertTrue(r.liveBlocksMissing() > 0, "its live blocks are in no intact pack: " + r);
        assertTrue(Files.exists(pack) && Files.size(pack) == length, "the damaged pack is left as it was");
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("damaged pack left alone")), messages.toString());
        assertEquals(damageBefore, damage(verify()), "no new damage, the old one still named");
    }

    @Test
    void shouldRefuseWhenAnotherWriterHoldsTheLock() throws Exception {
        final long before = packBytes();
        try (RepositoryLock held = Repository.open(repo.dir()).lockForWrite("backup")) {
            assertThrows(RepositoryLockedException.class,
                    () -> new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false)));
        }
        assertEquals(before, packBytes());
    }

    @Test
    void shouldRefuseToDeletePackWhenWriterLockIsNotHeld() throws Exception {
        final Path pack = repo.packFiles().getFirst();
        assertThrows(IllegalStateException.class, () -> repo.deletePack(pack));
        assertTrue(Files.exists(pack));
    }

    @Test
    void verifyShouldStayCleanWhenCompactDeletesPacksWhileItRuns() throws Exception {
        final boolean[] compacted = {false};
        final List<CompactResult> results = new ArrayList<>();
        // verify lists the packs, then compact runs (as another process would) before verify opens the first one
        final VerifyReport v = new RepositoryVerifier(repo, null, progress -> {
            if (!compacted[0]) {
                compacted[0] = true;
                try {
                    results.add(new CompactJob(repo, messages::add).run(new CompactOptions(0, false, false)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }).run();

        assertTrue(results.getFirst().packsRewritten() > 0, results.toString());
        assertTrue(v.clean(), v.findings().toString());
        assertEquals(List.of(ids.get(1), ids.get(2)), v.intactPoints());
        assertEquals(repo.packFiles().size(), v.packsChecked(), "the vanished packs are not counted");
    }

    private void assertRestores(final int version) throws Exception {
        final Path target = dir.resolve("restore-" + version + ".img");
        Files.deleteIfExists(target);
        Backups.restore(repo, "vm", ids.get(version), target);
        assertArrayEquals(versions.get(version).bytes(), Files.readAllBytes(target), "restore of version " + version);
    }

    private VerifyReport verify() throws IOException {
        return new RepositoryVerifier(repo, null, s -> { }).run();
    }

    private static List<String> damage(final VerifyReport r) {
        return r.findings().stream().filter(Finding::isDamage).map(Finding::describe).sorted().toList();
    }

    private long packBytes() throws IOException {
        long sum = 0;
        for (Path p : repo.packFiles()) {
            sum += Files.size(p);
        }
        return sum;
    }

    private TreeMap<String, Long> files() throws IOException {
        final TreeMap<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(repo.dir())) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals("lock")) {
                    out.put(repo.dir().relativize(p).toString(), Files.size(p));
                }
            }
        }
        return out;
    }

    private long[] blockId(final String pointId, final long block) throws IOException {
        try (PointReader r = PointReader.open(repo.findPoint("vm", pointId).path())) {
            return new long[]{r.idHi(block), r.idLo(block)};
        }
    }

    private Path packHolding(final long[] id) throws IOException {
        for (Path p : repo.packFiles()) {
            if (recordOffset(p, id) > 0) {
                return p;
            }
        }
        throw new AssertionError("no pack holds the block");
    }

    private static long recordOffset(final Path pack, final long[] id) throws IOException {
        try (PackReader r = PackReader.open(pack)) {
            for (int i = 0; i < r.recordCount(); i++) {
                if (r.idHi(i) == id[0] && r.idLo(i) == id[1]) {
                    return r.recordOffset(i);
                }
            }
        }
        return -1;
    }

    private static void flipByte(final Path file, final long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.flip();
            b.put(0, (byte) (b.get(0) ^ 0x5A));
            ch.write(b, offset);
        }
    }
}
