package io.cairn.format;

import io.cairn.format.FormatFixtures.Rec;
import io.cairn.format.index.BlockLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.cairn.format.FormatFixtures.idHi;
import static io.cairn.format.FormatFixtures.idLo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** PackCatalog: the block index is rebuilt from the packs' footers alone (FORMAT.md 4.4). */
class PackCatalogTest {
    @TempDir
    Path dir;

    @Test
    void shouldIndexEveryRecordAndSkipDamagedPackWhenLoaded() throws IOException {
        final Repository repo = Repository.init(dir.resolve("repo"), FormatFixtures.config());
        final Path a = FormatFixtures.publishPack(repo, 0, List.of(Rec.raw(1, 10), Rec.zstd(2, 900, 30)));
        final Path b = FormatFixtures.publishPack(repo, 1, List.of(Rec.raw(3, 5), Rec.raw(1, 10)));
        final Path broken = FormatFixtures.publishPack(repo, 2, List.of(Rec.raw(4, 5)));
        FormatFixtures.flipByte(broken, Files.size(broken) - 56, 0x01); // trailer
        final List<CorruptRepositoryException> damaged = new ArrayList<>();
        try (PackCatalog c = PackCatalog.load(repo, 0, damaged::add)) {
            assertEquals(List.of(a, b), List.of(c.packPath(0), c.packPath(1)));
            assertEquals(2, c.packCount());
            assertEquals(3, c.index().size());
            assertEquals(BlockLocation.pack(0, 64), c.index().get(idHi(1), idLo(1)), "first copy wins");
            assertEquals(BlockLocation.pack(0, 64 + 50), c.index().get(idHi(2), idLo(2)));
            assertEquals(BlockLocation.pack(1, 64), c.index().get(idHi(3), idLo(3)));
            assertEquals(BlockLocation.EMPTY, c.index().get(idHi(4), idLo(4)));
            assertEquals(1, damaged.size());
            assertEquals(broken, damaged.getFirst().path());
            assertEquals(2, c.addPack(dir.resolve("new.pack")));
        }
    }
}
