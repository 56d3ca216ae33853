package io.cairn.engine.source.windows;

import io.cairn.engine.DiskImage;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.BlockSourceContract;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

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
        return true;
    }

    @Test
    void shouldQueryManyPagesWhenExtentsAreLargerThanAPage() throws Exception {
        walkExtents();
        assertTrue(fake.queries.size() > 10, "queries: " + fake.queries.size());
    }
}
