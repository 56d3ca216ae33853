package io.cairn.tools;

import io.cairn.tools.TestImages.Snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeSet;

import static io.cairn.tools.CliChecks.backup;
import static io.cairn.tools.CliChecks.files;
import static io.cairn.tools.CliChecks.init;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A repository with one full restore point each of disks "a" and "b" (different content, so each has its own pack).
 * Built once per test class through the CLI; each test damages or uses its own {@link #copyTo copy}.
 */
record TwoDiskRepo(Path repo, Path imageA, Snapshot a, String pointA, String packA, Path imageB, Snapshot b,
                   String pointB, String packB) {

    static TwoDiskRepo build(final Path dir) throws IOException {
        final Path repo = dir.resolve("repo");
        init(repo);
        final Path imageA = TestImages.mixed(dir.resolve("a.img"), 8L * TestImages.MIB + 4_321, 101);
        final Path imageB = TestImages.mixed(dir.resolve("b.img"), 8L * TestImages.MIB, 102);
        final String pointA = backup(repo, "a", imageA);
        final TreeSet<String> packsA = files(repo.resolve("packs"));
        final String pointB = backup(repo, "b", imageB);
        final TreeSet<String> packsB = files(repo.resolve("packs"));
        packsB.removeAll(packsA);
        assertEquals(1, packsA.size(), "disk a should fit one pack");
        assertEquals(1, packsB.size(), "disk b should have its own pack");
        return new TwoDiskRepo(repo, imageA, TestImages.snapshot(imageA), pointA, "packs/" + packsA.first(), imageB,
                TestImages.snapshot(imageB), pointB, "packs/" + packsB.first());
    }

    /** A copy of the repository at {@code dir}/repo (the images stay shared; tests must not change them). */
    TwoDiskRepo copyTo(final Path dir) throws IOException {
        final Path to = dir.resolve("repo");
        CliChecks.copyTree(repo, to);
        return new TwoDiskRepo(to, imageA, a, pointA, packA, imageB, b, pointB, packB);
    }

    Path packOfA() {
        return repo.resolve(packA);
    }

    Path pointFileOfA() {
        return repo.resolve("points/a/" + pointA + ".point");
    }
}
