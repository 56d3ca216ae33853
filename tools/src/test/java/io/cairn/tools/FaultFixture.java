package io.cairn.tools;

import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.TestImages.Snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository every fault scenario starts from: built once per test class, copied for each scenario. It uses
 * 64 KiB blocks and 1 MiB packs (the smallest the format allows, FORMAT.md 3.2), so that a few MiB of new data
 * make many packs, i.e. many pack-level kill moments, in a fraction of a second of work.
 * <p>
 * Contents: disk {@code vm} with three restore points (a full and two incrementals, 8 whole blocks rewritten
 * before each), disk {@code db} with one. Inputs for the operations under test (shared, never written):
 * {@code vm-next} (vm's last state with 72 whole blocks of random bytes: an incremental of 5 packs) and
 * {@code fresh} (6 MiB of random bytes: the first, full backup of a new disk, 6 packs).
 */
final class FaultFixture {
    static final int BLOCK = 64 * 1024;
    static final long PACK = 1024 * 1024;

    private final Path template;
    private final Map<String, Path> images = new HashMap<>();
    private final Map<String, Snapshot> imageSnapshots = new HashMap<>();
    /** Template point id -> what it restores to. */
    private final Map<String, Snapshot> pointSnapshots = new HashMap<>();
    /** Disk -> its template point ids, oldest first. */
    private final Map<String, List<String>> pointsOfDisk = new LinkedHashMap<>();

    private FaultFixture(final Path template) {
        this.template = template;
    }

    static FaultFixture build(final Path dir) throws IOException {
        final FaultFixture f = new FaultFixture(dir.resolve("template"));
        initSmallPacks(f.template);
        final Path vm = TestImages.mixed(dir.resolve("vm.img"), 8L * TestImages.MIB, 301);
        for (int v = 0; v < 3; v++) {
            if (v > 0) {
                overwriteBlocks(vm, 8, 310 + v);
            }
            f.backupIntoTemplate("vm", vm);
        }
        f.backupIntoTemplate("db", TestImages.mixed(dir.resolve("db.img"), 4L * TestImages.MIB + 8192, 302));
        final Path next = Files.copy(vm, dir.resolve("vm-next.img"));
        overwriteBlocks(next, 72, 320);
        f.addImage("vm-next", next);
        f.addImage("fresh", TestImages.incompressible(dir.resolve("fresh.img"), 6L * TestImages.MIB, 303));
        return f;
    }

    /** A repository with 64 KiB blocks, zstd:1 and 1 MiB packs (init offers no pack size option, hence the API). */
    static void initSmallPacks(final Path repo) throws IOException {
        Repository.init(repo, new RepositoryConfig(RepositoryConfig.CURRENT_VERSION, Hex.of(Ids.random128()),
                Instant.now().truncatedTo(ChronoUnit.SECONDS), BLOCK, RepositoryConfig.XXH3_128, "zstd", 1, PACK));
    }

    private void backupIntoTemplate(final String disk, final Path image) throws IOException {
        final Result r = CliChecks.assertOk(InProcessCairn.exec("backup", "--repo", template.toString(), "--disk",
                disk, image.toString()));
        final String id = r.lastStdoutLine();
        pointSnapshots.put(id, TestImages.snapshot(image));
        pointsOfDisk.computeIfAbsent(disk, d -> new ArrayList<>()).add(id);
    }

    private void addImage(final String name, final Path file) throws IOException {
        images.put(name, file);
        imageSnapshots.put(name, TestImages.snapshot(file));
    }

    /** A fresh copy of the template repository at {@code dir/repo}. */
    Path copyTemplate(final Path dir) throws IOException {
        final Path repo = dir.resolve("repo");
        CliChecks.copyTree(template, repo);
        return repo;
    }

    Path image(final String name) {
        final Path p = images.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no input image '" + name + "' in the fixture");
        }
        return p;
    }

    Snapshot imageSnapshot(final String name) {
        image(name);
        return imageSnapshots.get(name);
    }

    /** What a template point restores to, or null for a point the template does not have. */
    Snapshot pointSnapshot(final String pointId) {
        return pointSnapshots.get(pointId);
    }

    Map<String, List<String>> pointsOfDisk() {
        return pointsOfDisk;
    }

    int packCount() throws IOException {
        return packs(template).size();
    }

    static TreeSet<String> packs(final Path repo) throws IOException {
        final TreeSet<String> out = new TreeSet<>();
        for (String f : CliChecks.files(repo.resolve("packs"))) {
            if (f.endsWith(".pack")) {
                out.add(f);
            }
        }
        return out;
    }

    /** Rewrites {@code count} distinct whole blocks with random bytes (incompressible: one pack per 16 blocks). */
    static TreeSet<Long> overwriteBlocks(final Path file, final int count, final long seed) throws IOException {
        final long blocks = Files.size(file) / BLOCK;
        final SplittableRandom rnd = new SplittableRandom(seed);
        final TreeSet<Long> chosen = new TreeSet<>();
        while (chosen.size() < count) {
            chosen.add(rnd.nextLong(blocks));
        }
        final byte[] buf = new byte[BLOCK];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long b : chosen) {
                rnd.nextBytes(buf);
                final ByteBuffer bb = ByteBuffer.wrap(buf);
                long pos = b * BLOCK;
                while (bb.hasRemaining()) {
                    pos += ch.write(bb, pos);
                }
            }
        }
        assertEquals(count, chosen.size());
        assertTrue(Files.size(file) >= (long) count * BLOCK);
        return chosen;
    }
}
