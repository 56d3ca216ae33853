package io.cairn.engine.source.nbd;

import io.cairn.engine.DiskImage;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.BlockSourceContract;
import io.cairn.nativeio.AlignedBuffers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The BlockSource contract for {@link NbdBlockSource}: a sparse raw image served read-only by a real
 * qemu-storage-daemon; holes come from base:allocation.
 */
class NbdBlockSourceTest extends BlockSourceContract {
    private QemuStorageDaemon daemon;

    @Override
    protected BlockSource open(final DiskImage disk, final Path dir) throws Exception {
        QemuStorageDaemon.assumeInstalled();
        final Path image = disk.writeSparse(dir.resolve("sparse.img"));
        daemon = QemuStorageDaemon.start(dir, image, "raw", false);
        return NbdBlockSource.open(daemon.address());
    }

    @Override
    protected boolean reportsHoles() {
        return true;
    }

    @Override
    protected void release() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void shouldReadAcrossBlocksWhenOneReadSpansDataAndHoles() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            final int length = 8 * BLOCK; // blocks 3-10: data, holes and the one-chunk extent in block 5
            final MemorySegment buffer = AlignedBuffers.allocate(arena, length);
            buffer.fill((byte) 0x5A);
            source.read(buffer, 3L * BLOCK, length);
            assertEquals(-1, buffer.mismatch(MemorySegment.ofArray(expected(3L * BLOCK, length))));
        }
    }

    @Test
    void shouldFindTheSmallExtentWhenItSitsInsideZeros() throws Exception {
        assertEquals(5L * BLOCK + 2 * DiskImage.CHUNK, source.nextData(4L * BLOCK));
        assertEquals(5L * BLOCK + 3 * DiskImage.CHUNK, source.nextHole(5L * BLOCK + 2 * DiskImage.CHUNK));
        assertEquals(-1, source.nextData(18L * BLOCK));
    }
}
