package io.cairn.engine.source.windows;

import io.cairn.engine.DiskImage;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.BlockSourceContract;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The BlockSource contract for {@link RctBlockSource} over a fake virtual disk whose changed ranges are exactly the
 * image's data extents, cut at every 8 KiB and served 2 ranges per page: every extent spans several pages.
 */
class RctBlockSourceContractTest extends BlockSourceContract {
    private FakeVirtualDisk fake;

    @Override
    protected BlockSource open(final DiskImage image, final Path dir) throws Exception {
        fake = new FakeVirtualDisk(image.bytes(), 512);
        fake.splitBytes = 8192;
        for (final long[] extent : image.dataExtents()) {
            fake.changed(extent[0], extent[1] - extent[0]);
        }
        return RctBlockSource.open(fake, "D:\\vm\\disk.avhdx", "rctX:base:00000001", 2);
    }

    @Override
    protected boolean reportsHoles() {
        return false; // the changed ranges are change tracking, not holes: the whole disk is data
    }

    @Test
    void shouldQueryManyPagesWhenChangedRangesAreLargerThanAPage() throws Exception {
        final DiskImage image = new DiskImage(8 * 64 * 1024, 64 * 1024).random(0, 1).random(2, 2).random(3, 3).random(6, 4);
        try (BlockSource source = open(image, java.nio.file.Path.of("unused"))) {
            final io.cairn.engine.source.ChangeTracking t = source.changeTracking();
            long offset = 0;
            long changed = 0;
            for (long from = t.nextChanged(offset); from >= 0; from = t.nextChanged(offset)) {
                offset = t.changedEnd(from);
                assertTrue(offset > from, "changedEnd(" + from + ") = " + offset);
                changed += offset - from;
            }
            long expected = 0;
            for (final long[] extent : image.dataExtents()) {
                expected += extent[1] - extent[0];
            }
            assertEquals(expected, changed);
        }
        assertTrue(fake.queries.size() > 10, "queries: " + fake.queries.size());
    }
}
