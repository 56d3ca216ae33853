package io.cairn.format;

import io.cairn.format.FormatFixtures.Rec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.cairn.format.FormatFixtures.pointId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Repository: init, open, where published files go (FORMAT.md 2), listing. */
class RepositoryTest {
    private static final long T0 = 1_795_000_000_000L;

    @TempDir
    Path root;

    private Repository init() throws IOException {
        return Repository.init(root.resolve("repo"), FormatFixtures.config());
    }

    @Test
    void shouldCreateLayoutWhenInitOnNewDirectory() throws IOException {
        final Repository repo = init();
        final Path dir = root.resolve("repo");
        for (String sub : new String[]{"packs", "points", "tmp"}) {
            assertTrue(Files.isDirectory(dir.resolve(sub)), sub);
        }
        assertTrue(Files.isRegularFile(dir.resolve("config")));
        assertEquals(List.of(), repo.tmpFiles(), "config.tmp was renamed away");
        assertEquals(FormatFixtures.config(), Repository.open(dir).config());
        assertEquals(dir, repo.dir());
    }

    @Test
    void shouldInitWhenDirectoryExistsAndIsEmpty() throws IOException {
        Files.createDirectories(root.resolve("repo"));
        init();
        assertEquals(FormatFixtures.config(), Repository.open(root.resolve("repo")).config());
    }

    @Test
    void shouldRefuseInitWhenDirectoryNotEmpty() throws IOException {
        Files.createDirectories(root.resolve("repo"));
        Files.writeString(root.resolve("repo/vm.img"), "precious");
        final IOException e = assertThrows(IOException.class, this::init);
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertFalse(Files.exists(root.resolve("repo/config")));
        assertFalse(Files.exists(root.resolve("repo/packs")));
    }

    @Test
    void shouldRefuseInitWhenAlreadyRepository() throws IOException {
        init();
        assertThrows(FileAlreadyExistsException.class, this::init);
        assertEquals(FormatFixtures.config(), Repository.open(root.resolve("repo")).config());
    }

    @Test
    void shouldRecreateTmpButRefusePacksMissingWhenOpened() throws IOException {
        final Repository repo = init();
        Files.delete(repo.tmpDir());
        Repository.open(repo.dir());
        assertTrue(Files.isDirectory(repo.tmpDir()));
        Files.delete(repo.dir().resolve("packs"));
        assertThrows(CorruptRepositoryException.class, () -> Repository.open(repo.dir()));
    }

    @Test
    void shouldPutPackUnderFirstTwoHexDigitsWhenPublished() throws IOException {
        final Repository repo = init();
        final String hex = Hex.of(FormatFixtures.packId(1));
        final Path tmp = repo.packTmpPath(hex);
        assertEquals(repo.dir().resolve("tmp/" + hex + ".pack.tmp"), tmp);
        final Path published = FormatFixtures.publishPack(repo, 1, List.of(Rec.raw(1, 10)));
        assertEquals(repo.dir().resolve("packs/" + hex.substring(0, 2) + "/" + hex + ".pack"), published);
        assertTrue(Files.isRegularFile(published));
        assertFalse(Files.exists(tmp));
        assertEquals(List.of(published), repo.packFiles());
    }

    @Test
    void shouldPutPointUnderDiskDirectoryWhenPublished() throws IOException {
        final Repository repo = init();
        final String id = pointId(T0, 1);
        final Path published = FormatFixtures.publishPoint(repo, "vm-1.disk_0", id, new int[]{1, 0});
        assertEquals(repo.dir().resolve("points/vm-1.disk_0/" + id + ".point"), published);
        assertTrue(Files.isRegularFile(published));
        assertFalse(Files.exists(repo.pointTmpPath(id)));
        assertEquals(List.of("vm-1.disk_0"), repo.disks());
    }

    @Test
    void shouldListPointsOldestFirstWhenPublishedOutOfOrder() throws IOException {
        final Repository repo = init();
        final String newest = pointId(T0 + 3_000, 1);
        final String oldest = pointId(T0, 7);
        final String middle = pointId(T0 + 1_000, 2);
        final String otherDisk = pointId(T0 + 2_000, 3);
        FormatFixtures.publishPoint(repo, "vm", newest, new int[]{1});
        FormatFixtures.publishPoint(repo, "vm", oldest, new int[]{1});
        FormatFixtures.publishPoint(repo, "vm", middle, new int[]{0, 1});
        FormatFixtures.publishPoint(repo, "db", otherDisk, new int[]{2});
        final List<CorruptRepositoryException> damaged = new ArrayList<>();

        final List<PointInfo> vm = repo.listPoints("vm", damaged::add);
        assertEquals(List.of(oldest, middle, newest), vm.stream().map(PointInfo::id).toList());
        assertEquals(2, vm.get(1).blockCount());
        assertEquals(2L * FormatFixtures.BLOCK_SIZE, vm.get(1).virtualSize());
        assertEquals("vm", vm.get(1).manifest().get("disk"));
        assertEquals(List.of(oldest, middle, otherDisk, newest),
                repo.listPoints(null, damaged::add).stream().map(PointInfo::id).toList());
        assertEquals(newest, repo.latestPoint("vm", damaged::add).id());
        assertEquals("db", repo.findPoint(null, otherDisk).disk());
        assertNull(repo.findPoint("vm", otherDisk));
        assertNull(repo.latestPoint("nosuchdisk", damaged::add));
        assertEquals(List.of(), damaged);
    }

    @Test
    void shouldReportAndLeaveOutPointWhenFileDamaged() throws IOException {
        final Repository repo = init();
        final String good = pointId(T0, 1);
        final String bad = pointId(T0 + 1, 2);
        final String moved = pointId(T0 + 2, 3);
        FormatFixtures.publishPoint(repo, "vm", good, new int[]{1});
        final Path badPath = FormatFixtures.publishPoint(repo, "vm", bad, new int[]{1});
        FormatFixtures.flipByte(badPath, 20, 0x01); // virtual size: the header CRC no longer matches
        // a point whose manifest names another id than its file name
        final Path wrongName = FormatFixtures.publishPoint(repo, "vm", moved, new int[]{1});
        Files.move(wrongName, wrongName.resolveSibling(pointId(T0 + 3, 4) + ".point"));

        final List<CorruptRepositoryException> damaged = new ArrayList<>();
        final List<PointInfo> listed = repo.listPoints("vm", damaged::add);
        assertEquals(List.of(good), listed.stream().map(PointInfo::id).toList());
        assertEquals(2, damaged.size());
        assertTrue(damaged.stream().anyMatch(e -> e.path().equals(badPath)));
        assertTrue(damaged.stream().anyMatch(e -> e.getMessage().contains("manifest id/disk differ")));
    }

    @Test
    void shouldIgnoreFilesWhoseNamesDoNotMatchWhenListing() throws IOException {
        final Repository repo = init();
        final String id = pointId(T0, 1);
        final Path point = FormatFixtures.publishPoint(repo, "vm", id, new int[]{1});
        Files.copy(point, point.resolveSibling("not-a-uuid.point"));
        Files.copy(point, point.resolveSibling(id + ".point.bak"));
        Files.createDirectories(repo.dir().resolve("points/.hidden"));
        final Path pack = FormatFixtures.publishPack(repo, 1, List.of(Rec.raw(1, 10)));
        Files.copy(pack, pack.resolveSibling("XYZ.pack"));
        Files.writeString(repo.dir().resolve("packs/readme.txt"), "x");

        assertEquals(List.of(point), repo.pointFiles(null));
        assertEquals(List.of("vm"), repo.disks());
        assertEquals(List.of(pack), repo.packFiles());
    }

    @Test
    void shouldListLeftoversSortedWhenTmpHasFiles() throws IOException {
        final Repository repo = init();
        final Path b = Files.writeString(repo.tmpDir().resolve("b.pack.tmp"), "half a pack");
        final Path a = Files.writeString(repo.tmpDir().resolve("a.point.tmp"), "half a point");
        assertEquals(List.of(a, b), repo.tmpFiles());
    }
}
