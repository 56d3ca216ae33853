package io.cairn.engine.source;

import io.cairn.engine.DiskImage;
import io.cairn.engine.TestSystem;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * FileBlockSource on a block device: a loop device over a sparse backing file (needs root and losetup). A device
 * cannot tell holes, so it reports everything as data; its size comes from BLKGETSIZE64.
 */
class LoopDeviceBlockSourceTest extends BlockSourceContract {
    private Path device;

    @Override
    protected BlockSource open(final DiskImage disk, final Path dir) throws Exception {
        final String unavailable = TestSystem.loopDevicesUnavailable();
        assumeTrue(unavailable == null, unavailable);
        final Path backing = disk.writeSparse(dir.resolve("backing.img"));
        device = TestSystem.attachLoop(backing);
        return FileBlockSource.open(device);
    }

    @Override
    protected boolean reportsHoles() {
        return false;
    }

    @Override
    protected void release() throws Exception {
        if (device != null) {
            TestSystem.detachLoop(device);
            device = null;
        }
    }

    @Test
    void shouldIdentifyAsBlockDeviceWhenSourceIsALoopDevice() {
        assertTrue(source.identity().startsWith("blockdev "), source.identity());
        assertEquals(device.toString(), source.describe());
    }

    @Test
    void shouldBypassPageCacheWhenSourceIsABlockDevice() {
        assertTrue(((FileBlockSource) source).isDirect());
    }
}
