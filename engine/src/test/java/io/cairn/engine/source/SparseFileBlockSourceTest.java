package io.cairn.engine.source;

import io.cairn.engine.DiskImage;
import io.cairn.engine.TestSystem;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** FileBlockSource on a sparse file: all-zero 4 KiB chunks are holes, and SEEK_DATA/SEEK_HOLE must find them. */
class SparseFileBlockSourceTest extends BlockSourceContract {
    @Override
    protected BlockSource open(final DiskImage disk, final Path dir) throws Exception {
        final Path file = disk.writeSparse(dir.resolve("sparse.img"));
        final long allocated = TestSystem.allocatedBytes(file);
        assumeTrue(allocated < disk.size(), "the temporary directory's file system does not keep holes (" + allocated
                + " of " + disk.size() + " bytes allocated)");
        return FileBlockSource.open(file);
    }

    @Override
    protected boolean reportsHoles() {
        return true;
    }

    @Test
    void shouldReturnMinusOneFromNextDataWhenOnlyHolesFollow() throws Exception {
        // blocks 18 and 19 are a hole running to the end of the file
        assertEquals(-1, source.nextData(18L * BLOCK));
        assertEquals(-1, source.nextData(20L * BLOCK - 1));
    }

    @Test
    void shouldFindTheSmallExtentWhenItSitsInsideZeros() throws Exception {
        // block 5 holds one 4 KiB data chunk at +8 KiB; blocks 4 and 6-7 are holes
        assertEquals(5L * BLOCK + 2 * DiskImage.CHUNK, source.nextData(4L * BLOCK));
        assertEquals(5L * BLOCK + 3 * DiskImage.CHUNK, source.nextHole(5L * BLOCK + 2 * DiskImage.CHUNK));
        assertEquals(8L * BLOCK, source.nextData(5L * BLOCK + 3 * DiskImage.CHUNK));
    }
}
