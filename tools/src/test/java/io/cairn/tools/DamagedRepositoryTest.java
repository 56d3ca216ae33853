package io.cairn.tools;

import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackLayout;
import io.cairn.format.point.PointLayout;
import io.cairn.tools.CairnProcess.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertOneErrorLine;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.assertVerifyNamesDamagedPoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged repository files seen through the CLI: verify names the damaged restore point and exits 1, a restore
 * that needs the damage fails with one clear line and leaves nothing at --to, and undamaged points still restore.
 */
class DamagedRepositoryTest {
    @TempDir
    static Path shared;
    private static TwoDiskRepo template;

    @TempDir
    Path tmp;
    private TwoDiskRepo r;

    @BeforeAll
    static void prepare() throws IOException {
        template = TwoDiskRepo.build(shared);
    }

    @BeforeEach
    void copy() throws IOException {
        r = template.copyTo(tmp);
    }

    @Test
    void verifyShouldNameDamagedPointWhenPackFileTruncated() throws IOException {
        final Path pack = r.packOfA();
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }

        final Result v = assertVerifyNamesDamagedPoint(r.repo(), r.pointA());
        assertFalse(v.stdout().contains("damaged restore point " + r.pointB()), v::describe);
        assertTrue(v.stdout().contains("damaged pack " + pack), () -> "verify should name the pack\n" + v.describe());
        assertRestoreFailsCleanly(r.pointA(), "a", "missing");
        assertRestores(r.repo(), "b", r.pointB(), r.b(), tmp.resolve("b.out"));
    }

    @Test
    void verifyShouldNameDamagedPointWhenByteInsidePackRecordFlipped() throws IOException {
        // a byte of the first record's stored data: its data CRC no longer matches
        flip(r.packOfA(), PackLayout.HEADER_LENGTH + BlockRecordLayout.HEADER_LENGTH + 100);

        final Result v = assertVerifyNamesDamagedPoint(r.repo(), r.pointA());
        assertTrue(v.stdout().contains("damaged record in " + r.packOfA()), v::describe);
        assertFalse(v.stdout().contains("damaged restore point " + r.pointB()), v::describe);
        final Result deep = assertVerifyNamesDamagedPoint(r.repo(), r.pointA(), "--deep");
        assertFalse(deep.stdout().contains("damaged restore point " + r.pointB()), deep::describe);
        assertRestoreFailsCleanly(r.pointA(), "a", "damaged");
        assertRestores(r.repo(), "b", r.pointB(), r.b(), tmp.resolve("b.out"));
    }

    @Test
    void listShouldWarnAndVerifyShouldNameWhenPointFileTruncated() throws IOException {
        final Path point = r.pointFileOfA();
        try (RandomAccessFile f = new RandomAccessFile(point.toFile(), "rw")) {
            f.setLength(f.length() - 10);
        }

        final Result list = assertOk(exec("list", "--repo", r.repo().toString(), "--json"));
        assertEquals(1, list.stderrLines().size(), list::describe);
        final String warning = list.stderrLines().getFirst();
        assertTrue(warning.startsWith("cairn: warning: damaged restore point") && warning.contains(r.pointA()),
                list::describe);
        final List<Map<String, Object>> points = MiniJson.arrayOfObjects(list.stdout());
        assertEquals(List.of(r.pointB()), points.stream().map(p -> p.get("id")).toList());

        assertVerifyNamesDamagedPoint(r.repo(), r.pointA());
        assertRestoreFailsCleanly(r.pointA(), "a", "damaged", r.pointA());
        assertRestores(r.repo(), "b", r.pointB(), r.b(), tmp.resolve("b.out"));
    }

    @Test
    void verifyShouldNameDamagedPointWhenBlockMapByteFlipped() throws IOException {
        flip(r.pointFileOfA(), PointLayout.HEADER_LENGTH + 16 * 3 + 5);

        assertVerifyNamesDamagedPoint(r.repo(), r.pointA());
        assertRestoreFailsCleanly(r.pointA(), "a", "damaged", "block map");
        assertRestores(r.repo(), "b", r.pointB(), r.b(), tmp.resolve("b.out"));
    }

    @Test
    void restoreLatestShouldWarnAndUseOlderPointWhenNewestPointFileDamaged() throws IOException {
        final String second = CliChecks.backup(r.repo(), "a", r.imageB()); // a newer point of disk a
        final Path newest = r.repo().resolve("points/a/" + second + ".point");
        try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        final Path to = tmp.resolve("latest.out");

        final Result res = assertOk(exec("restore", "--repo", r.repo().toString(), "--disk", "a", "--to",
                to.toString()));

        assertTrue(res.stderrLines().getFirst().startsWith("cairn: warning: newer restore point is damaged")
                && res.stderr().contains(second), res::describe);
        TestImages.assertRestored(r.a(), to);
    }

    /** restore of a damaged point: exit 1, one error line, and neither the target nor a partial file left. */
    private void assertRestoreFailsCleanly(final String point, final String disk, final String... needles) {
        final Path to = tmp.resolve("restored-" + disk + ".img");
        final Result res = exec("restore", "--repo", r.repo().toString(), "--disk", disk, "--point", point, "--to",
                to.toString());
        assertOneErrorLine(res, Cairn.FAILED, needles);
        assertFalse(Files.exists(to), () -> "a failed restore must leave no file at --to\n" + res.describe());
        assertFalse(Files.exists(to.resolveSibling(to.getFileName() + ".cairn-partial")), res::describe);
    }

    private static void flip(final Path file, final long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            final int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5a);
        }
    }
}
