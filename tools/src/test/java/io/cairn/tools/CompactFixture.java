package io.cairn.tools;

import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.TestImages.Snapshot;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.cairn.tools.CairnProcess.exec;
import static io.cairn.tools.CliChecks.assertOk;
import static io.cairn.tools.CliChecks.assertRestores;
import static io.cairn.tools.CliChecks.backup;

/**
 * A repository with garbage for the compact tests: 64 KiB blocks and 1 MiB packs (so a few MiB make many packs),
 * three backups of a 4 MiB incompressible disk (24, then 8 blocks changed), and the oldest point removed with
 * {@code cairn retention --keep-last 2}: the first backup's four packs are each partly garbage, so compact rewrites
 * them into three new packs and then deletes four. Built once per test class and copied by each test.
 */
final class CompactFixture {
    static final int BLOCK = 64 * 1024;
    final Path template;
    final Path image;
    /** The points left after retention, oldest first, and what each restores to. */
    final List<String> points = new ArrayList<>();
    final Map<String, Snapshot> expected = new HashMap<>();

    CompactFixture(final Path dir) throws IOException {
        template = dir.resolve("template");
        Repository.init(template, new RepositoryConfig(RepositoryConfig.CURRENT_VERSION, Hex.of(Ids.random128()),
                Instant.now(), BLOCK, RepositoryConfig.XXH3_128, "zstd", 1, RepositoryConfig.MIN_PACK_SIZE));
        image = TestImages.incompressible(dir.resolve("disk.img"), 4L * TestImages.MIB, 61);
        final List<String> all = new ArrayList<>();
        for (int v = 0; v < 3; v++) {
            if (v > 0) {
                TestImages.modifyBlocks(image, BLOCK, v == 1 ? 24 : 8, 70 + v);
            }
            final String id = backup(template, "vm", image);
            all.add(id);
            expected.put(id, TestImages.snapshot(image));
        }
        assertOk(exec("retention", "--repo", template.toString(), "--keep-last", "2"));
        points.addAll(all.subList(1, 3));
    }

    /** A fresh copy of the template. */
    Path copy(final Path dir) throws IOException {
        final Path repo = dir.resolve("repo");
        CliChecks.copyTree(template, repo);
        return repo;
    }

    void assertEveryPointRestores(final Path repo, final Path scratch) throws IOException {
        for (String id : points) {
            assertRestores(repo, "vm", id, expected.get(id), scratch.resolve("restore.img"));
        }
    }

    static Map<String, Object> json(final Result r) {
        return MiniJson.object(r.stdout().trim());
    }

    static long number(final Map<String, Object> json, final String key) {
        final Object v = json.get(key);
        if (!(v instanceof BigDecimal b)) {
            throw new AssertionError("no number '" + key + "' in " + json);
        }
        return b.longValueExact();
    }

    static long reclaimableBytes(final Path repo) {
        return number(json(assertOk(exec("verify", "--repo", repo.toString(), "--json"))), "reclaimable_bytes");
    }

    static long packBytes(final Path repo) throws IOException {
        try (Stream<Path> s = Files.walk(repo.resolve("packs"))) {
            long sum = 0;
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().endsWith(".pack")) {
                    sum += Files.size(p);
                }
            }
            return sum;
        }
    }
}
