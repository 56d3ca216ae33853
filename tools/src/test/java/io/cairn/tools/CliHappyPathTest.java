package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.TestImages.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.backup;
import static io.cairn.tools.CliChecks.init;
import static io.cairn.tools.CliChecks.listPoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The everyday path through the real {@code cairn} command: init, full, incremental, list, restore, verify. */
class CliHappyPathTest {
    private static final int BLOCK = 256 * 1024;

    @TempDir
    Path tmp;

    @Test
    void shouldRestoreEveryPointBitExactWhenFullThenIncrementalBackedUp() throws IOException {
        final Path repo = tmp.resolve("repo");
        final Path image = TestImages.mixed(tmp.resolve("disk.img"), 32L * TestImages.MIB + 777, 1);
        init(repo, "--block-size", "256K");

        final Result full = assertOk(exec("backup", "--repo", repo.toString(), "--disk", "vm1", image.toString(),
                "--json"));
        final Map<String, Object> f = MiniJson.object(full.lastStdoutLine());
        assertTrue(f.keySet().containsAll(Set.of("id", "disk", "type", "bytes_read", "bytes_stored", "duration_s")),
                () -> "backup --json keys: " + f.keySet());
        assertEquals("vm1", f.get("disk"));
        assertEquals("full", f.get("type"));
        assertNull(f.get("parent"));
        final Snapshot first = TestImages.snapshot(image);

        final int blocks = (int) ((Files.size(image) + BLOCK - 1) / BLOCK);
        final int changed = Math.max(1, Math.round(blocks * 0.02f));
        TestImages.modifyBlocks(image, BLOCK, changed, 2);
        final Snapshot second = TestImages.snapshot(image);

        final Result inc = assertOk(exec("backup", "--repo", repo.toString(), "--disk", "vm1", image.toString(),
                "--json"));
        final Map<String, Object> i = MiniJson.object(inc.lastStdoutLine());
        assertEquals("incremental", i.get("type"));
        assertEquals(f.get("id"), i.get("parent"));
        assertEquals(new BigDecimal(changed), i.get("blocks_changed"));
        final long fullStored = ((BigDecimal) f.get("bytes_stored")).longValueExact();
        final long incStored = ((BigDecimal) i.get("bytes_stored")).longValueExact();
        assertTrue(incStored > 0 && incStored * 10 < fullStored,
                () -> "incremental stored " + incStored + " bytes, the full " + fullStored);
        assertTrue(((BigDecimal) i.get("duration_s")).signum() >= 0);

        final List<Map<String, Object>> points = listPoints(repo);
        assertEquals(List.of(f.get("id"), i.get("id")), points.stream().map(p -> p.get("id")).toList(),
                "list --json: both points, newest last");
        assertEquals(List.of("full", "incremental"), points.stream().map(p -> p.get("type")).toList());

        assertRestores(repo, "vm1", (String) f.get("id"), first, tmp.resolve("full.out"));
        assertRestores(repo, "vm1", (String) i.get("id"), second, tmp.resolve("incremental.out"));
        assertVerifyClean(repo);
        assertVerifyClean(repo, "--deep");
    }

    @Test
    void shouldRestoreWhenTargetIsBareFileNameInWorkingDirectory() throws IOException {
        final Path repo = tmp.resolve("repo");
        final Path image = TestImages.mixed(tmp.resolve("disk.img"), 4L * TestImages.MIB, 3);
        final Snapshot snap = TestImages.snapshot(image);
        init(repo);
        backup(repo, "d", image);
        final Path work = Files.createDirectory(tmp.resolve("work"));

        final Result r = cairn().in(work).run("restore", "--repo", repo.toString(), "--disk", "d", "--to", "out.img");

        assertOk(r);
        assertEquals("out.img", r.lastStdoutLine());
        TestImages.assertRestored(snap, work.resolve("out.img"));
        assertFalse(Files.exists(work.resolve("out.img.cairn-partial")));
    }

    @Test
    void shouldRestoreWithoutSyncWhenAskedAndSaySo() throws IOException {
        final Path repo = tmp.resolve("repo");
        final Path image = TestImages.mixed(tmp.resolve("disk.img"), 6L * TestImages.MIB + 4096 + 512, 5);
        final Snapshot snap = TestImages.snapshot(image);
        init(repo);
        backup(repo, "d", image);
        final Path out = tmp.resolve("nosync.img");

        final Result r = assertOk(exec("restore", "--repo", repo.toString(), "--disk", "d", "--to", out.toString(),
                "--no-sync"));

        TestImages.assertRestored(snap, out); // O_DIRECT, and an unaligned end through the buffered tail descriptor
        assertTrue(r.stderr().contains("not synced (--no-sync"), r.stderr());
        assertFalse(r.stderr().contains("final sync"), r.stderr());
        assertFalse(Files.exists(tmp.resolve("nosync.img.cairn-partial")));
        // the default stays durable and says how long its syncs took
        final Result d = assertOk(exec("restore", "--repo", repo.toString(), "--disk", "d", "--to",
                tmp.resolve("synced.img").toString()));
        assertTrue(d.stderr().contains("final sync "), d.stderr());
        TestImages.assertRestored(snap, tmp.resolve("synced.img"));
        // --no-sync replaces an existing file only with --force, as the default does
        assertEquals(1, exec("restore", "--repo", repo.toString(), "--disk", "d", "--to", out.toString(),
                "--no-sync").exitCode());
        assertOk(exec("restore", "--repo", repo.toString(), "--disk", "d", "--to", out.toString(), "--no-sync",
                "--force"));
        TestImages.assertRestored(snap, out);
    }
}
