package io.cairn.engine.compact;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Repository;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.point.PointLayout;
import io.cairn.format.point.PointReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The live set of a repository: every non-zero block id that some restore point's block map lists (FORMAT.md 5.2).
 * The format is content-addressed, so this set is all that decides which records compact must keep.
 * <p>
 * A point file that cannot be read (or whose map fails its CRC) makes loading fail, naming the file: compact cannot
 * know what that point references, so it must reclaim nothing (as verify then reports no pack as reclaimable).
 */
final class LiveSet {
    /** The value stored for each live id (the index needs a non-empty location; only membership matters). */
    private static final long LIVE = 1L;

    private LiveSet() {
    }

    /**
     * Reads every point file of every disk.
     *
     * @return the live ids (the caller closes the index)
     * @throws CorruptRepositoryException naming the first unreadable point file
     */
    static BlockIndex load(final Repository repo) throws IOException {
        final java.util.List<Path> files = repo.pointFiles(null);
        long expected = 0;
        for (Path f : files) {
            try {
                expected += Math.max(0, (Files.size(f) - PointLayout.HEADER_LENGTH) / PointLayout.MAP_ENTRY_LENGTH);
            } catch (NoSuchFileException gone) {
                // deleted meanwhile (only possible in a dry run, which takes no lock)
            }
        }
        final BlockIndex live = new BlockIndex(Math.min(expected, 1L << 26));
        try {
            for (Path f : files) {
                add(f, live);
            }
        } catch (IOException | RuntimeException e) {
            live.close();
            throw e;
        }
        return live;
    }

    private static void add(final Path file, final BlockIndex live) throws IOException {
        try (PointReader r = PointReader.open(file)) {
            r.verifyMap();
            final long count = r.blockCount();
            for (long b = 0; b < count; b++) {
                final long hi = r.idHi(b);
                final long lo = r.idLo(b);
                if (!BlockId.isZero(hi, lo)) {
                    live.putIfAbsent(hi, lo, LIVE);
                }
            }
        } catch (NoSuchFileException gone) {
            // a point deleted after the listing references nothing any more (dry run only: no lock)
        } catch (CorruptRepositoryException e) {
            final String m = e.getMessage();
            final String detail = m.startsWith(file.toString()) ? m.substring(m.indexOf(": ") + 2) : m;
            throw new CorruptRepositoryException(file, e.offset(), detail + "; compact cannot know which blocks"
                    + " this restore point references, so it changed nothing (cairn verify names the damage)");
        }
    }
}
