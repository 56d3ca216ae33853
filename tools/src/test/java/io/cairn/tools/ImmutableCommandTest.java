package io.cairn.tools;

import io.cairn.format.immutable.ImmutabilityRecord;
import io.cairn.format.immutable.ImmutabilityRecordCodec;
import io.cairn.format.immutable.ProtectedPaths;
import io.cairn.nativeio.FileFlags;
import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.TestImages.Snapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.cairn.tools.CairnProcess.cairn;
import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertOneErrorLine;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.assertVerifyClean;
import static io.cairn.tools.CliChecks.backup;
import static io.cairn.tools.CliChecks.files;
import static io.cairn.tools.CliChecks.init;
import static io.cairn.tools.CliChecks.listPoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code cairn immutable} end to end in child JVMs, on real file systems (root only; skipped with the reason
 * otherwise): a loop-mounted ext4 (has the immutable attribute) and a ramfs (has none; tmpfs gained the attribute in
 * Linux 6.0, so it no longer serves as the file system without it). Expiry is simulated by rewriting the record with
 * past times through repo-format's API. Cleanup lifts every attribute before unmounting, so the temp dir can go.
 */
class ImmutableCommandTest {
    private static final Duration GUARD = Duration.ofMinutes(2);

    @TempDir
    static Path shared;
    private static Path ext4;
    private static String loopDevice;
    private static Path ramfs;
    private static String skip;

    @TempDir
    Path tmp;

    @BeforeAll
    static void mountFileSystems() throws IOException, InterruptedException {
        final Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!Integer.valueOf(0).equals(uid)) {
            skip = "the immutable attribute and mounting need root (uid is " + uid + ")";
            return;
        }
        final Path image = shared.resolve("ext4.img");
        String out = command("truncate", "-s", "256M", image.toString());
        out = out != null ? out : command("mkfs.ext4", "-q", "-F", image.toString());
        if (out != null) {
            skip = "cannot make an ext4 image here: " + out;
            return;
        }
        final Process losetup = new ProcessBuilder("losetup", "--find", "--show", image.toString())
                .redirectErrorStream(true).start();
        final String dev = new String(losetup.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (losetup.waitFor() != 0) {
            skip = "no loop device here: " + dev;
            return;
        }
        loopDevice = dev;
        ext4 = Files.createDirectory(shared.resolve("ext4"));
        out = command("mount", loopDevice, ext4.toString());
        if (out != null) {
            ext4 = null;
            skip = "cannot mount the ext4 image: " + out;
            return;
        }
        ramfs = Files.createDirectory(shared.resolve("ramfs"));
        out = command("mount", "-t", "ramfs", "ramfs", ramfs.toString());
        if (out != null) {
            ramfs = null;
            skip = "cannot mount a ramfs: " + out;
        }
    }

    @AfterAll
    static void unmount() throws IOException, InterruptedException {
        final List<String> problems = new ArrayList<>();
        if (ext4 != null) {
            command("chattr", "-R", "-i", ext4.toString()); // lift every flag, else nothing could be deleted
            add(problems, command("umount", ext4.toString()));
        }
        if (loopDevice != null) {
            add(problems, command("losetup", "-d", loopDevice));
        }
        if (ramfs != null) {
            add(problems, command("umount", ramfs.toString()));
        }
        assertEquals(List.of(), problems, "cleanup");
    }

    private static void add(final List<String> problems, final String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    private static void assumeFileSystems() {
        assumeTrue(skip == null, () -> skip);
    }

    /** A fresh repository directory on the ext4. */
    private Path ext4Repo() throws IOException {
        assumeFileSystems();
        final Path dir = Files.createDirectories(ext4.resolve(tmp.getFileName().toString()));
        return dir.resolve("repo");
    }

    @Test
    void shouldProtectSealedFilesAgainstRootsRmAndProtectLaterBackups() throws IOException {
        final Path repo = ext4Repo();
        init(repo);
        final Path disk = TestImages.mixed(tmp.resolve("vm.img"), 4L * TestImages.MIB + 4096, 61);
        final String p1 = backup(repo, "vm", disk);
        final Snapshot s1 = TestImages.snapshot(disk);
        TestImages.modifyBlocks(disk, TestImages.MIB, 1, 62);
        final String p2 = backup(repo, "vm", disk);
        final List<Path> packsBefore = packs(repo);
        final List<Path> sealed = sealedFiles(repo);
        final Instant before = Instant.now();

        final Result r = assertOk(exec("immutable", "--repo", repo.toString(), "--days", "7", "--json"));

        final Map<String, Object> json = MiniJson.object(r.stdout());
        assertEquals("protect", json.get("action"));
        assertEquals(new BigDecimal(7), json.get("policy_days"));
        assertEquals(new BigDecimal(sealed.size()), json.get("newly_protected_files"), r::describe);
        assertEquals(new BigDecimal(sealed.size()), json.get("protected_files"), r::describe);
        assertEquals(BigDecimal.ZERO, json.get("unflagged_files"), r::describe);
        assertEquals(Boolean.TRUE, json.get("attribute_supported"));
        final Instant until = Instant.parse((String) json.get("until"));
        assertTrue(!until.isBefore(before.plus(Duration.ofDays(7)).minusSeconds(1))
                && !until.isAfter(Instant.now().plus(Duration.ofDays(7))), until::toString);
        assertTrue(r.stderr().contains("until " + until), r::describe);
        for (Path f : sealed) {
            assertTrue(FileFlags.isImmutable(f), () -> f + " carries the immutable attribute");
        }
        assertFalse(FileFlags.isImmutable(repo.resolve(ImmutabilityRecordCodec.FILE_NAME)), "the record stays writable");
        assertEquals(sealed.size(), ImmutabilityRecordCodec.read(repo).untilSeconds().size());

        // not even root's rm removes a protected pack
        final Path pack = packsBefore.getFirst();
        final String rm = command("/bin/rm", "-f", pack.toString());
        assertTrue(rm != null && rm.contains("Operation not permitted"), () -> "rm should fail: " + rm);
        assertTrue(Files.exists(pack), "the pack is still there");

        // retention keeps the protected points and says until when
        final Result ret = assertOk(exec("retention", "--repo", repo.toString(), "--keep-last", "1", "--json"));
        final Map<String, Object> plan = MiniJson.object(ret.stdout());
        assertEquals(List.of(), plan.get("removed"), ret::describe);
        final Map<String, String> protectedUntil = new HashMap<>();
        for (Object o : (List<?>) plan.get("kept")) {
            final Map<?, ?> d = (Map<?, ?>) o;
            protectedUntil.put((String) d.get("id"), (String) d.get("protected_until"));
            assertTrue(((List<?>) d.get("reasons")).contains("protected until " + until), ret::describe);
        }
        assertEquals(Map.of(p1, until.toString(), p2, until.toString()), protectedUntil, ret::describe);
        assertTrue(ret.stderr().contains("kept 2 (2 protected by cairn immutable), removed 0"), ret::describe);
        final Result text = assertOk(exec("retention", "--repo", repo.toString(), "--keep-last", "1", "--dry-run"));
        assertTrue(text.stdoutLines().getFirst().startsWith("KEEP") && text.stdoutLines().getFirst().contains(p1)
                && text.stdoutLines().getFirst().endsWith("protected until " + until), text::describe);

        // a later backup publishes under the policy: its new pack and its point are immutable at once
        TestImages.modifyBlocks(disk, TestImages.MIB, 2, 63);
        final Snapshot s3 = TestImages.snapshot(disk);
        final String p3 = backup(repo, "vm", disk);
        final List<Path> newPacks = new ArrayList<>(packs(repo));
        newPacks.removeAll(packsBefore);
        assertFalse(newPacks.isEmpty(), "the changed blocks went into a new pack");
        for (Path f : newPacks) {
            assertTrue(FileFlags.isImmutable(f), () -> f + " (new pack) is immutable");
        }
        final Path p3File = repo.resolve("points/vm/" + p3 + ".point");
        assertTrue(FileFlags.isImmutable(p3File), "the new point is immutable");
        final ImmutabilityRecord record = ImmutabilityRecordCodec.read(repo);
        final Instant p3Until = record.until(ProtectedPaths.of(repo, p3File));
        assertTrue(p3Until != null && !p3Until.isBefore(until), () -> "recorded for 7 days: " + p3Until);

        assertRestores(repo, "vm", p1, s1, tmp.resolve("p1.out"));
        assertRestores(repo, "vm", p3, s3, tmp.resolve("p3.out"));
        assertVerifyClean(repo);
        final Map<String, Object> status = MiniJson.object(assertOk(exec("immutable", "--repo", repo.toString(),
                "--status", "--json")).stdout());
        assertEquals(new BigDecimal(sealed.size() + newPacks.size() + 1), status.get("protected_files"));
        assertEquals(until.toString(), status.get("earliest_until"));
        assertEquals(BigDecimal.ZERO, status.get("unflagged_files"));
    }

    @Test
    void shouldLiftExpiredProtectionSoThatRetentionProceeds() throws IOException {
        final Path repo = ext4Repo();
        init(repo);
        final Path disk = TestImages.mixed(tmp.resolve("vm.img"), 2L * TestImages.MIB, 71);
        final List<String> ids = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            TestImages.modifyBlocks(disk, TestImages.MIB, 1, 72 + v);
            ids.add(backup(repo, "vm", disk));
        }
        final Snapshot newest = TestImages.snapshot(disk);
        assertOk(exec("immutable", "--repo", repo.toString(), "--days", "7"));
        final Path p1 = repo.resolve("points/vm/" + ids.get(0) + ".point");
        final Path p2 = repo.resolve("points/vm/" + ids.get(1) + ".point");

        // the first point's protection has ended (simulated through the record); retention lifts it by itself
        final ImmutabilityRecord r = ImmutabilityRecordCodec.read(repo);
        final Map<String, Long> times = new HashMap<>(r.untilSeconds());
        times.put(ProtectedPaths.of(repo, p1), Instant.now().minusSeconds(60).getEpochSecond());
        ImmutabilityRecordCodec.write(repo, repo.resolve("tmp"), new ImmutabilityRecord(7, times));
        final Result first = assertOk(exec("retention", "--repo", repo.toString(), "--keep-last", "1"));
        assertTrue(first.stdoutLines().get(0).startsWith("REMOVE") && first.stdoutLines().get(0).contains(ids.get(0)),
                first::describe);
        assertTrue(first.stdoutLines().get(1).startsWith("KEEP") && first.stdoutLines().get(1).contains(
                "protected until"), first::describe);
        assertTrue(first.stderr().contains("lifted expired immutability protection of 1 file"), first::describe);
        assertFalse(Files.exists(p1), "the expired point was deleted");
        assertTrue(Files.exists(p2) && FileFlags.isImmutable(p2), "the protected one stays");

        // everything expires: --lift-expired clears every attribute, then retention deletes
        final Map<String, Long> past = new HashMap<>();
        ImmutabilityRecordCodec.read(repo).untilSeconds().forEach((k, v) -> past.put(k,
                Instant.now().minusSeconds(1).getEpochSecond()));
        ImmutabilityRecordCodec.write(repo, repo.resolve("tmp"), new ImmutabilityRecord(7, past));
        final Map<String, Object> lifted = MiniJson.object(assertOk(exec("immutable", "--repo", repo.toString(),
                "--lift-expired", "--json")).stdout());
        assertEquals(new BigDecimal(past.size()), lifted.get("lifted_files"), lifted::toString);
        assertEquals(BigDecimal.ZERO, lifted.get("protected_files"));
        assertEquals(BigDecimal.ZERO, lifted.get("expired_files"));
        for (Path f : sealedFiles(repo)) {
            assertFalse(FileFlags.isImmutable(f), () -> f + " was lifted");
        }
        assertOk(exec("retention", "--repo", repo.toString(), "--keep-last", "1"));
        assertEquals(List.of(ids.get(2)), listPoints(repo).stream().map(p -> p.get("id")).toList());
        assertVerifyClean(repo);
        assertRestores(repo, "vm", ids.get(2), newest, tmp.resolve("newest.out"));
    }

    @Test
    void shouldStopProtectingLaterFilesButKeepExistingWhenDaysIsZero() throws IOException {
        final Path repo = ext4Repo();
        init(repo);
        final Path disk = TestImages.mixed(tmp.resolve("vm.img"), 2L * TestImages.MIB, 81);
        final String p1 = backup(repo, "vm", disk);
        assertOk(exec("immutable", "--repo", repo.toString(), "--days", "30"));
        final Result off = assertOk(exec("immutable", "--repo", repo.toString(), "--days", "0", "--json"));
        assertEquals(BigDecimal.ZERO, MiniJson.object(off.stdout()).get("policy_days"));
        TestImages.modifyBlocks(disk, TestImages.MIB, 1, 82);
        final String p2 = backup(repo, "vm", disk);
        assertTrue(FileFlags.isImmutable(repo.resolve("points/vm/" + p1 + ".point")), "existing protection stays");
        final Path p2File = repo.resolve("points/vm/" + p2 + ".point");
        assertFalse(FileFlags.isImmutable(p2File), "no policy: the new point is not protected");
        assertNull(ImmutabilityRecordCodec.read(repo).until(ProtectedPaths.of(repo, p2File)));
        // protection only extends: asking for 7 days keeps the 30 recorded for p1
        final Instant p1Until = ImmutabilityRecordCodec.read(repo).until("points/vm/" + p1 + ".point");
        assertOk(exec("immutable", "--repo", repo.toString(), "--days", "7"));
        assertEquals(p1Until, ImmutabilityRecordCodec.read(repo).until("points/vm/" + p1 + ".point"));
        assertTrue(FileFlags.isImmutable(p2File), "--days 7 protects what is sealed now");
    }

    @Test
    void shouldKeepPointWithAttributeTheRecordDoesNotNameAndSayWhy() throws IOException {
        final Path repo = ext4Repo();
        init(repo);
        final Path disk = TestImages.mixed(tmp.resolve("vm.img"), TestImages.MIB, 111);
        final String p1 = backup(repo, "vm", disk);
        TestImages.modifyBlocks(disk, TestImages.MIB, 1, 112);
        backup(repo, "vm", disk);
        final Path p1File = repo.resolve("points/vm/" + p1 + ".point");
        FileFlags.setImmutable(p1File, true); // protected outside Cairn: no record names it
        try {
            final Result r = assertOk(exec("retention", "--repo", repo.toString(), "--keep-last", "1"));
            assertTrue(r.stderr().contains("restore point " + p1 + " kept: ")
                    && r.stderr().contains("carries the immutable attribute but the immutability record does not"
                    + " name it") && r.stderr().contains("chattr -i"), r::describe);
            assertTrue(Files.exists(p1File));
            assertTrue(r.stderr().contains("removed 0 restore points"), r::describe);
        } finally {
            FileFlags.setImmutable(p1File, false);
        }
        assertVerifyClean(repo);
    }

    @Test
    void shouldSayCapabilityIsNeededAndRecordNothingWhenNotPermitted() throws IOException, InterruptedException {
        final Path repo = ext4Repo();
        assumeTrue(command("setpriv", "--version") == null, "needs setpriv (util-linux) to drop a capability");
        init(repo);
        backup(repo, "vm", TestImages.mixed(tmp.resolve("vm.img"), TestImages.MIB, 91));
        final TreeSet<String> before = files(repo);
        final Result r = cairn().under("setpriv", "--bounding-set", "-linux_immutable", "--inh-caps",
                "-linux_immutable", "--").run("immutable", "--repo", repo.toString(), "--days", "7");
        assertOneErrorLine(r, Cairn.FAILED, "CAP_LINUX_IMMUTABLE", "nothing protected");
        assertEquals(before, files(repo), "nothing recorded, no probe left behind");
        for (Path f : sealedFiles(repo)) {
            assertFalse(FileFlags.isImmutable(f), f::toString);
        }
    }

    @Test
    void shouldRefuseAndRecordNothingWhenFileSystemLacksAttribute() throws IOException {
        assumeFileSystems();
        final Path repo = ramfs.resolve(tmp.getFileName().toString()).resolve("repo");
        init(repo);
        final Path disk = TestImages.mixed(tmp.resolve("vm.img"), 2L * TestImages.MIB, 101);
        backup(repo, "vm", disk);
        final TreeSet<String> before = files(repo);

        final Result r = exec("immutable", "--repo", repo.toString(), "--days", "7");

        final String line = assertOneErrorLine(r, Cairn.FAILED, "does not support the immutable attribute",
                "nothing protected", repo.toString());
        assertEquals("", r.stdout(), line);
        assertEquals(before, files(repo), "no record, no probe file");

        // a repository whose policy is on but whose file system has no attribute (moved there): the backup
        // succeeds, records the new files and warns loudly
        ImmutabilityRecordCodec.write(repo, repo.resolve("tmp"), new ImmutabilityRecord(7, Map.of()));
        TestImages.modifyBlocks(disk, TestImages.MIB, 1, 102);
        final Snapshot s2 = TestImages.snapshot(disk);
        final Result b = assertOk(exec("backup", "--repo", repo.toString(), "--disk", "vm", disk.toString()));
        assertTrue(b.stderr().contains("cairn: warning: IMMUTABILITY NOT ENFORCED")
                && b.stderr().contains("does not support the immutable attribute"), b::describe);
        final String p2 = b.lastStdoutLine();
        assertNotEquals(null, ImmutabilityRecordCodec.read(repo).until("points/vm/" + p2 + ".point"));
        final Map<String, Object> status = MiniJson.object(assertOk(exec("immutable", "--repo", repo.toString(),
                "--status", "--json")).stdout());
        assertEquals(Boolean.FALSE, status.get("attribute_supported"));
        assertEquals(status.get("protected_files"), status.get("unflagged_files"), status::toString);
        assertRestores(repo, "vm", p2, s2, tmp.resolve("p2.out"));
        assertVerifyClean(repo);
    }

    @Test
    void shouldRejectBadUsageWithExitTwo() throws IOException {
        final Path repo = tmp.resolve("repo");
        init(repo);
        for (String[] args : List.of(new String[]{"--days", "-1"}, new String[]{"--days", "x"},
                new String[]{"--days", "36501"}, new String[]{}, new String[]{"--days", "7", "--status"},
                new String[]{"--status", "--lift-expired"})) {
            final List<String> argv = new ArrayList<>(List.of("immutable", "--repo", repo.toString()));
            argv.addAll(List.of(args));
            final Result r = exec(argv.toArray(String[]::new));
            assertOneErrorLine(r, Cairn.USAGE, "cairn immutable");
        }
        assertFalse(Files.exists(repo.resolve(ImmutabilityRecordCodec.FILE_NAME)));
        final Result status = assertOk(exec("immutable", "--repo", repo.toString(), "--status"));
        assertTrue(status.stdoutLines().getFirst().startsWith("policy: off"), status::describe);
    }

    private static List<Path> packs(final Path repo) throws IOException {
        try (Stream<Path> s = Files.walk(repo.resolve("packs"))) {
            return s.filter(p -> p.toString().endsWith(".pack")).sorted().toList();
        }
    }

    /** config, every pack and every point file. */
    private static List<Path> sealedFiles(final Path repo) throws IOException {
        final List<Path> out = new ArrayList<>(packs(repo));
        try (Stream<Path> s = Files.walk(repo.resolve("points"))) {
            s.filter(p -> p.toString().endsWith(".point")).sorted().forEach(out::add);
        }
        out.add(repo.resolve("config"));
        return out;
    }

    /** Runs a command; null when it exits 0, else its exit code and output. */
    private static String command(final String... cmd) {
        try {
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", cmd) + ": did not finish";
            }
            return p.exitValue() == 0 ? null : String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return String.join(" ", cmd) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
