package io.cairn.engine.source;

import io.cairn.engine.DiskImage;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * FileBlockSource on a sparse file whose size is not a multiple of 4096, so the last block is partial and its
 * O_DIRECT read (rounded up to 4 KiB) runs past the end of the file.
 */
class UnalignedSizeFileBlockSourceTest extends BlockSourceContract {
    private static final int TAIL = 12_345;
    private static final long SIZE = 19L * BLOCK + TAIL;

    @Override
    protected DiskImage disk() {
        final DiskImage d = new DiskImage(SIZE, BLOCK);
        d.unique(0, 11).unique(3, 12).random(7, 13).fill(12, (byte) 0x5A).unique(18, 14).unique(19, 15);
        return d; // block 19 is the partial one: 12 345 bytes of data
    }

    @Override
    protected BlockSource open(final DiskImage disk, final Path dir) throws Exception {
        return FileBlockSource.open(disk.writeSparse(dir.resolve("odd.img")));
    }

    @Override
    protected boolean reportsHoles() {
        return true;
    }

    @Test
    void shouldReadPartialLastBlockExactlyWhenLengthIsNotAMultipleOf4096() throws Exception {
        assertNotEquals(0, SIZE % 4096);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment buffer = arena.allocate(BLOCK, 4096);
            buffer.fill((byte) 0xAA);
            source.read(buffer, 19L * BLOCK, TAIL);
            assertEquals(-1, buffer.asSlice(0, TAIL).mismatch(MemorySegment.ofArray(expected(19L * BLOCK, TAIL))));
        }
    }

    @Test
    void shouldEndLastExtentAtFileSizeWhenFileEndsInData() throws Exception {
        assertEquals(18L * BLOCK, source.nextData(17L * BLOCK));
        assertEquals(SIZE, source.nextHole(18L * BLOCK));
    }
}
