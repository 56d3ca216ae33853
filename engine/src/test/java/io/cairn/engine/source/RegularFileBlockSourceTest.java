package io.cairn.engine.source;

import io.cairn.engine.DiskImage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** FileBlockSource on a dense regular file: every byte written, zero blocks included, so no holes to report. */
class RegularFileBlockSourceTest extends BlockSourceContract {
    @Override
    protected BlockSource open(final DiskImage disk, final Path dir) throws Exception {
        return FileBlockSource.open(disk.writeDense(dir.resolve("dense.img")));
    }

    @Override
    protected boolean reportsHoles() {
        return false;
    }

    @Test
    void shouldIdentifyAsFileWhenSourceIsRegularFile() {
        assertTrue(source.identity().startsWith("file "), source.identity());
        assertTrue(source.describe().endsWith("dense.img"), source.describe());
    }

    @Test
    void shouldBypassPageCacheWhenFileSystemSupportsODirect() throws IOException {
        final String type = Files.getFileStore(dir).type();
        assumeTrue(Set.of("ext4", "xfs", "btrfs").contains(type), "O_DIRECT is only expected on ext4/xfs/btrfs, not "
                + type);
        assertTrue(((FileBlockSource) source).isDirect());
    }

    @Test
    void shouldThrowWhenFileShrankSinceOpenAndOnlyHolesSeemToFollow() throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("dense.img").toFile(), "rw")) {
            raf.setLength(10L * BLOCK);
        }
        assertEquals(5L * BLOCK, source.nextData(5L * BLOCK), "offsets inside the file still work");
        final IOException e = assertThrows(IOException.class, () -> source.nextData(15L * BLOCK));
        assertTrue(e.getMessage().contains("shrank"), e.getMessage());
    }

    @Test
    void shouldThrowNoSuchFileWhenSourceIsMissing() {
        final NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> FileBlockSource.open(dir.resolve("missing.img")));
        assertTrue(e.getMessage().contains("missing.img"), e.getMessage());
    }

    @Test
    void shouldThrowWhenSourceIsADirectory() {
        final IOException e = assertThrows(IOException.class, () -> FileBlockSource.open(dir));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }
}
