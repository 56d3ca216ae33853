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
        if (NbdAddress.isUrl(spec)) {
            return NbdBlockSource.open(NbdAddress.parse(spec), null, NBD_TIMEOUT);
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
