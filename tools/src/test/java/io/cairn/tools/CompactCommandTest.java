package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.CairnProcess.Running;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertOneErrorLine;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.files;
import static io.cairn.tools.CliChecks.listPoints;
import static io.cairn.tools.CompactFixture.json;
import static io.cairn.tools.CompactFixture.number;
import static io.cairn.tools.CompactFixture.packBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cairn compact} end to end in child JVMs: what it reclaims and reports, the dry run, bad input, an unreadable
 * restore point, and compact beside a backup (the writer lock, with and without --wait) and beside a restore that
 * built its catalog before compact deleted the packs it lists.
 */
class CompactCommandTest {
    private static final String PAUSED = "cairn-debug-paused: ";

    @TempDir
    static Path shared;
    private static CompactFixture fixture;

    @TempDir
    Path tmp;

    @BeforeAll
    static void prepare() throws IOException {
        fixture = new CompactFixture(shared);
    }

    @Test
    void shouldReclaimGarbageReportItAndKeepEveryPointRestorable() throws IOException {
        final Path repo = fixture.copy(tmp);
        final long before = packBytes(repo);

        final Result r = assertOk(exec("compact", "--repo", repo.toString(), "--json"));

        final Map<String, Object> j = json(r);
        for (String key : List.of("packs_rewritten", "packs_deleted", "bytes_reclaimed", "bytes_copied",
                "live_blocks", "duration_s", "garbage_below_threshold_bytes", "packs_below_threshold")) {
            assertTrue(j.containsKey(key), () -> "JSON key " + key + "\n" + r.describe());
        }
        assertEquals(4, number(j, "packs_rewritten"), r::describe);
        assertEquals(before - packBytes(repo), number(j, "bytes_reclaimed"), "reported = gone from packs/");
        assertTrue(number(j, "bytes_reclaimed") >= 24L * CompactFixture.BLOCK, r::describe);
        assertEquals(64 + 8, number(j, "live_blocks"), "64 blocks of the second backup plus 8 changed in the third");
        assertTrue(r.stderr().contains("compact: reclaimed"), r::describe);
        assertVerifyClean(repo);
        assertEquals(0, CompactFixture.reclaimableBytes(repo));
        fixture.assertEveryPointRestores(repo, tmp);
    }

    @Test
    void shouldChangeNothingAndReportTheSameGarbageWhenDryRun() throws IOException {
        final Path repo = fixture.copy(tmp);
        final TreeSet<String> before = files(repo);

        final Result dry = assertOk(exec("compact", "--repo", repo.toString(), "--dry-run", "--json"));

        assertEquals(before, files(repo), "a dry run changes no file");
        assertEquals(Boolean.TRUE, json(dry).get("dry_run"));
        assertEquals(4, number(json(dry), "packs_rewritten"), dry::describe);
        assertTrue(dry.stderr().contains("would reclaim"), dry::describe);
        final Map<String, Object> real = json(assertOk(exec("compact", "--repo", repo.toString(), "--json")));
        assertEquals(number(json(dry), "bytes_copied"), number(real, "bytes_copied"));
    }

    @Test
    void shouldLeavePartlyUsedPacksBelowThresholdAndReclaimThemWithThresholdZero() throws IOException {
        final Path repo = fixture.copy(tmp);
        final long before = packBytes(repo);

        final Map<String, Object> high = json(assertOk(exec("compact", "--repo", repo.toString(), "--threshold",
                "100", "--json")));

        assertEquals(0, number(high, "packs_rewritten"), high.toString());
        assertEquals(4, number(high, "packs_below_threshold"), high.toString());
        assertTrue(number(high, "garbage_below_threshold_bytes") >= 24L * CompactFixture.BLOCK, high.toString());
        assertEquals(before, packBytes(repo));

        final Map<String, Object> zero = json(assertOk(exec("compact", "--repo", repo.toString(), "--threshold",
                "0%", "--json")));
        assertEquals(4, number(zero, "packs_rewritten"), zero.toString());
        assertEquals(0, number(zero, "garbage_below_threshold_bytes"), zero.toString());
        fixture.assertEveryPointRestores(repo, tmp);
    }

    @Test
    void shouldRefuseBadThresholdWithUsageError() throws IOException {
        final Path repo = fixture.copy(tmp);
        final TreeSet<String> before = files(repo);

        assertOneErrorLine(exec("compact", "--repo", repo.toString(), "--threshold", "101"), Cairn.USAGE,
                "threshold", "100");
        assertOneErrorLine(exec("compact", "--repo", repo.toString(), "--threshold", "lots"), Cairn.USAGE,
                "threshold", "percentage");
        assertOneErrorLine(exec("compact", "--repo", repo.toString(), "--treshold", "5"), Cairn.USAGE,
                "unknown option");
        assertOneErrorLine(exec("compact"), Cairn.USAGE, "--repo");

        assertEquals(before, files(repo));
    }

    @Test
    void shouldRefuseAndChangeNothingWhenARestorePointFileIsUnreadable() throws IOException {
        final Path repo = fixture.copy(tmp);
        final Path point = repo.resolve("points").resolve("vm").resolve(fixture.points.getFirst() + ".point");
        flipByte(point, 64 + 16 * 3); // in the block map: its CRC fails
        final TreeSet<String> before = files(repo);

        assertOneErrorLine(exec("compact", "--repo", repo.toString()), Cairn.FAILED, point.toString(),
                "changed nothing");

        assertEquals(before, files(repo));
    }

    @Test
    void shouldExitThreeNamingTheBackupWhenItHoldsTheLockAndWaitForItWithWait() throws IOException {
        final Path repo = fixture.copy(tmp);
        final Path resume = tmp.resolve("resume-backup");
        final Path other = TestImages.mixed(tmp.resolve("other.img"), 2L * TestImages.MIB, 81);
        try (Running backup = cairn().env("CAIRN_DEBUG_PAUSE_AT", "before-point-publish")
                .env("CAIRN_DEBUG_RESUME_FILE", resume.toString())
                .start("backup", "--repo", repo.toString(), "--disk", "other", other.toString())) {
            backup.awaitStderrLine(PAUSED);
            final long before = packBytes(repo);

            assertOneErrorLine(exec("compact", "--repo", repo.toString()), Cairn.LOCKED, "locked", "command=backup");
            assertEquals(before, packBytes(repo));

            try (Running waiting = cairn().start("compact", "--repo", repo.toString(), "--wait", "--json")) {
                final String line = waiting.awaitStderrLine("cairn: waiting");
                assertTrue(line.contains("command=backup"), line);
                Files.createFile(resume); // the backup finishes and releases the lock
                assertOk(backup.await());
                final Result compacted = assertOk(waiting.await());
                assertEquals(4, number(json(compacted), "packs_rewritten"), compacted::describe);
            }
        }
        assertEquals(3, listPoints(repo).size(), "two points of vm and the new one of other");
        assertVerifyClean(repo);
        assertEquals(0, CompactFixture.reclaimableBytes(repo));
        fixture.assertEveryPointRestores(repo, tmp);
    }

    @Test
    void shouldRefuseBackupWhileCompactHoldsTheLock() throws IOException {
        final Path repo = fixture.copy(tmp);
        final Path other = TestImages.mixed(tmp.resolve("other.img"), 2L * TestImages.MIB, 82);
        try (Running compact = cairn().env("CAIRN_DEBUG_PAUSE_AT", "compact-after-new-packs-published")
                .start("compact", "--repo", repo.toString())) {
            compact.awaitStderrLine(PAUSED);

            assertOneErrorLine(exec("backup", "--repo", repo.toString(), "--disk", "other", other.toString()),
                    Cairn.LOCKED, "locked", "command=compact");

            compact.kill9();
        }
        assertEquals(2, listPoints(repo).size());
        assertVerifyClean(repo);
        fixture.assertEveryPointRestores(repo, tmp);
    }

    @Test
    void shouldRestoreBitExactWhenCompactDeletesThePacksOfAPausedRestore() throws IOException {
        final Path repo = fixture.copy(tmp);
        final Path resume = tmp.resolve("resume-restore");
        final Path target = tmp.resolve("restored.img");
        final String point = fixture.points.getFirst();
        final TreeSet<String> packsSeenByRestore;
        try (Running restore = cairn().env("CAIRN_DEBUG_PAUSE_AT", "restore-after-catalog-load")
                .env("CAIRN_DEBUG_RESUME_FILE", resume.toString())
                .start("restore", "--repo", repo.toString(), "--disk", "vm", "--point", point, "--to",
                        target.toString())) {
            restore.awaitStderrLine(PAUSED);
            packsSeenByRestore = packNames(repo);

            final Result compacted = assertOk(exec("compact", "--repo", repo.toString(), "--threshold", "0",
                    "--json"));

            assertEquals(4, number(json(compacted), "packs_rewritten"), compacted::describe);
            final TreeSet<String> gone = new TreeSet<>(packsSeenByRestore);
            gone.removeAll(packNames(repo));
            assertEquals(4, gone.size(), "the restore's catalog lists four packs that no longer exist");
            Files.createFile(resume);
            final Result restored = assertOk(restore.await());
            assertTrue(restored.stderr().contains("cairn-debug-resumed"), restored::describe);
        }
        TestImages.assertRestored(fixture.expected.get(point), target);
    }

    private static TreeSet<String> packNames(final Path repo) throws IOException {
        final TreeSet<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(repo.resolve("packs"))) {
            s.filter(p -> p.getFileName().toString().endsWith(".pack")).forEach(p -> out.add(p.getFileName()
                    .toString()));
        }
        return out;
    }

    private static void flipByte(final Path file, final long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x5A));
            b.rewind();
            ch.write(b, offset);
        }
    }
}
