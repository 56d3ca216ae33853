package io.cairn.tools;

import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.engine.source.nbd.NbdAddress;
import io.cairn.engine.source.nbd.NbdBlockSource;
import io.cairn.engine.source.vhdx.VhdxBlockSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Turns a SOURCE argument into a {@link BlockSource}: an {@code nbd://} or {@code nbd+unix://} URL is read over
 * NBD; a file that starts with the VHDX signature is read as VHDX (allocated payload only); anything else is a
 * raw image file or block device.
 */
final class Sources {
    static final Duration NBD_TIMEOUT = Duration.ofSeconds(60);

    private Sources() {
    }

    static BlockSource open(final String spec) throws IOException {
        return open(spec, null, w -> { });
    }

    /**
     * @param bitmap   a QEMU dirty bitmap to use as change tracking (NBD sources only), or null
     * @param warnings receives a line when the bitmap cannot be used (the backup then compares hashes)
     */
    static BlockSource open(final String spec, final String bitmap, final java.util.function.Consumer<String> warnings)
            throws IOException {
        if (NbdAddress.isUrl(spec)) {
            final NbdAddress address = NbdAddress.parse(spec);
            if (bitmap != null) {
                try {
                    return NbdBlockSource.open(address, bitmap, NBD_TIMEOUT);
                } catch (IOException e) {
                    warnings.accept("dirty bitmap '" + bitmap + "' is not usable (" + e.getMessage()
                            + "); reading every block and comparing hashes instead");
                }
            }
            return NbdBlockSource.open(address, null, NBD_TIMEOUT);
        }
        if (bitmap != null) {
            throw new io.cairn.tools.cli.UsageException("--bitmap needs an NBD source (nbd:// or nbd+unix://)");
        }
        final Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw new NoSuchFileException(spec, null, "source does not exist");
        }
        if (Files.isRegularFile(path) && VhdxBlockSource.isVhdx(path)) {
            return VhdxBlockSource.open(path);
        }
        return FileBlockSource.open(path);
    }
}
