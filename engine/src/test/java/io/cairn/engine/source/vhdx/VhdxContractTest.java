package io.cairn.engine.source.vhdx;

import io.cairn.engine.DiskImage;
import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.BlockSourceContract;

import java.nio.file.Path;

/**
 * The BlockSource contract on a qemu-img-made dynamic VHDX of the contract's disk. The disk is 1.25 MiB, so with
 * 1 MiB payload blocks both blocks hold data and the source reports one data extent (VHDX holes are whole blocks).
 */
class VhdxContractTest extends BlockSourceContract {
    @Override
    protected BlockSource open(final DiskImage disk, final Path dir) throws Exception {
        VhdxFixtures.assumeQemuImg();
        final Path raw = disk.writeDense(dir.resolve("contract.raw"));
        final Path vhdx = dir.resolve("contract.vhdx");
        VhdxFixtures.qemuImg("convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", raw.toString(),
                vhdx.toString());
        return VhdxBlockSource.open(vhdx);
    }

    @Override
    protected boolean reportsHoles() {
        return false;
    }
}
