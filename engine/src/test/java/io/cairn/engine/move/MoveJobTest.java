package io.cairn.engine.move;

import io.cairn.engine.Backups;
import io.cairn.engine.DeepRecordCheck;
import io.cairn.engine.DiskImage;
import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.PackCatalog;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.point.PointReader;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MoveJob} in process on real repositories whose target packs are small (1 MiB), so that one point's copied
 * records span several packs: the pack boundaries, the pending index of the unpublished pack, and what an aborted
 * point leaves behind are exercised here; the CLI contract, kills and bad input are in the tools' MoveCommandTest.
 */
class MoveJobTest {
    private static final int K64 = 64 * 1024;
    private static final int BLOCKS = 128;

    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();
    private final List<PointOutcome> reported = new ArrayList<>();

    @Test
    void shouldSpreadCopiedRecordsOverSeveralPacksAndRestoreBitExactWhenTargetPacksAreSmall() throws Exception {
        final Repository source = Backups.init(dir.resolve("src"), K64, "zstd");
        final DiskImage v0 = image();
        final DiskImage v1 = v0.copy().unique(3, 9003).unique(90, 9090);
        final String p0 = Backups.backup(source, "vm", v0.writeDense(dir.resolve("v0.img"))).id();
        final String p1 = Backups.backup(source, "vm", v1.writeDense(dir.resolve("v1.img"))).id();
        final Repository target = Repository.init(dir.resolve("dst"), smallPacks());

        final MoveResult r = new MoveJob(source, warnings::add, reported::add).run("vm", target.dir());

        assertTrue(r.complete(), r.toString());
        assertEquals(List.of(p0, p1), r.points().stream().map(PointOutcome::id).toList());
        assertEquals(r.points(), reported, "each outcome is reported as it happens");
        assertEquals(BLOCKS + 2, r.blocksCopied(), "every block of v0, then the two v1 changed");
        assertEquals(BLOCKS, r.points().getFirst().blocksCopied());
        assertEquals(2, r.points().getLast().blocksCopied());
        assertTrue(r.packsWritten() >= 3, "about 2.7 MB of records in 1 MiB packs: " + r.packsWritten());
        assertEquals(r.packsWritten(), target.packFiles().size());
        assertEquals(List.of(), source.listPoints("vm", e -> { }));
        assertRestores(target, p0, v0);
        assertRestores(target, p1, v1);
        assertDeepClean(target);
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldCopyAbortedRecordsAgainForTheNextPointWhenAPointFailsMidCopy() throws Exception {
        final Repository source = Backups.init(dir.resolve("src"), K64, "zstd");
        final DiskImage v0 = image();
        final DiskImage v1 = v0.copy().unique(BLOCKS - 1, 7777); // v1 no longer needs v0's last block
        final String p0 = Backups.backup(source, "vm", v0.writeDense(dir.resolve("v0.img"))).id();
        final String p1 = Backups.backup(source, "vm", v1.writeDense(dir.resolve("v1.img"))).id();
        final Path damagedPack = damageRecordOfLastBlock(source, p0);
        final Repository target = Repository.init(dir.resolve("dst"), smallPacks());

        final MoveResult r = new MoveJob(source, warnings::add, reported::add).run("vm", target.dir());

        assertEquals(PointOutcome.Status.FAILED, r.points().get(0).status());
        assertTrue(r.points().get(0).message().contains(damagedPack.toString()), r.points().get(0).message());
        assertEquals(PointOutcome.Status.MOVED, r.points().get(1).status(), r.toString());
        assertTrue(r.points().get(1).blocksCopied() > 2,
                "records of p0's discarded pack are copied again for p1: " + r.points().get(1));
        assertEquals(List.of(p0), source.listPoints("vm", e -> { }).stream().map(PointInfo::id).toList());
        assertEquals(List.of(p1), target.listPoints("vm", e -> { }).stream().map(PointInfo::id).toList());
        assertEquals(List.of(), target.tmpFiles(), "the unpublished pack of the failed point is gone");
        assertRestores(target, p1, v1);
        assertDeepClean(target);
    }

    @Test
    void shouldCreateTargetWithSourceSettingsAndNewId() throws Exception {
        final Repository source = Backups.init(dir.resolve("src"), K64, "none");
        final String p0 = Backups.backup(source, "vm", image().writeDense(dir.resolve("v0.img"))).id();

        final MoveResult r = new MoveJob(source, warnings::add, reported::add).run("vm", dir.resolve("new"));

        assertTrue(r.targetCreated() && r.complete(), r.toString());
        final Repository target = Repository.open(dir.resolve("new"));
        assertEquals(K64, target.config().blockSize());
        assertEquals("none", target.config().compressionSpec());
        assertEquals(source.config().packSize(), target.config().packSize());
        assertTrue(!target.config().repositoryId().equals(source.config().repositoryId()), "a new repository id");
        assertEquals(List.of(p0), target.listPoints("vm", e -> { }).stream().map(PointInfo::id).toList());
    }

    private static DiskImage image() {
        final DiskImage image = new DiskImage((long) BLOCKS * K64, K64);
        for (int b = 0; b < BLOCKS; b++) {
            image.unique(b, 100 + b);
        }
        return image;
    }

    private static RepositoryConfig smallPacks() {
        return new RepositoryConfig(RepositoryConfig.CURRENT_VERSION, Hex.of(Ids.random128()), Instant.now(), K64,
                RepositoryConfig.XXH3_128, "zstd", 1, RepositoryConfig.MIN_PACK_SIZE);
    }

    /** Flips a stored byte of the record of the point's last block; returns the pack. */
    private static Path damageRecordOfLastBlock(final Repository repo, final String pointId) throws IOException {
        final long location;
        final Path pack;
        try (PackCatalog catalog = PackCatalog.load(repo, 0, e -> { });
             PointReader point = PointReader.open(repo.pointPath("vm", pointId))) {
            location = catalog.index().get(point.idHi(BLOCKS - 1), point.idLo(BLOCKS - 1));
            pack = catalog.packPath(BlockLocation.packOrdinal(location));
        }
        final long offset = BlockLocation.recordOffset(location) + 40 + 7;
        try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x21)).rewind();
            ch.write(b, offset);
        }
        return pack;
    }

    private void assertRestores(final Repository repo, final String pointId, final DiskImage expected)
            throws IOException {
        final Path out = dir.resolve("restore-" + pointId + ".img");
        Backups.restore(repo, "vm", pointId, out);
        assertArrayEquals(expected.bytes(), Files.readAllBytes(out), "restore of " + pointId + " is not bit-exact");
    }

    private static void assertDeepClean(final Repository repo) throws IOException {
        try (DeepRecordCheck deep = new DeepRecordCheck(repo.config().blockSize())) {
            final VerifyReport report = new RepositoryVerifier(repo, deep, s -> { }).run();
            assertTrue(report.clean(), report.findings().toString());
            assertEquals(0, report.reclaimableBytes(), "no unreferenced pack, no leftover: " + report.findings());
        }
    }
}
