package io.cairn.format;

import io.cairn.format.health.DamageLedger;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.PackReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The sealed packs of a repository, numbered by ordinal, and the block index built from their footers
 * (FORMAT.md 4.4): the index is derived, never stored, so it is always rebuildable from the packs alone.
 * <p>
 * Threads: built on one thread; {@link #addPack} only from the backup's writer thread; lookups from any thread
 * while nobody adds (the engine freezes the index during a backup and keeps new blocks in a session index).
 */
public final class PackCatalog implements AutoCloseable {
    private final List<Path> packs = new ArrayList<>();
    private final BlockIndex index;
    private int skippedRecords;

    private PackCatalog(final long expectedEntries) {
        this.index = new BlockIndex(expectedEntries);
    }

    /**
     * Reads every sealed pack's trailer and footer. A pack that fails its checks is passed to {@code damaged} and
     * left out, so its blocks count as absent (a backup stores them again). Records listed in the damaged-block
     * ledger (FORMAT.md section 11) are left out too: their ids are absent unless another, intact copy exists, so a
     * backup stores them again and restore reads the good copy. An unreadable ledger is passed to {@code damaged}
     * and ignored (verify rewrites it).
     *
     * @param expectedNewEntries room to reserve for blocks that the caller will add
     */
    public static PackCatalog load(final Repository repo, final long expectedNewEntries,
                                   final Consumer<CorruptRepositoryException> damaged) throws IOException {
        final List<Path> files = repo.packFiles();
        long estimate = expectedNewEntries;
        for (Path p : files) {
            estimate += Math.max(1, java.nio.file.Files.size(p) / Math.max(1, repo.config().blockSize() / 4));
        }
        DamageLedger ledger;
        try {
            ledger = DamageLedger.load(repo);
        } catch (CorruptRepositoryException e) {
            damaged.accept(e);
            ledger = DamageLedger.empty();
        }
        final PackCatalog c = new PackCatalog(Math.max(1024, estimate));
        try {
            for (Path p : files) {
                try (PackReader r = PackReader.open(p)) {
                    final int ordinal = c.addPack(p);
                    final long[] bad = ledger.offsetsIn(DamageLedger.packIdOf(p));
                    for (int i = 0; i < r.recordCount(); i++) {
                        if (bad != null && java.util.Arrays.binarySearch(bad, r.recordOffset(i)) >= 0) {
                            c.skippedRecords++;
                            continue;
                        }
                        c.index.putIfAbsent(r.idHi(i), r.idLo(i), BlockLocation.pack(ordinal, r.recordOffset(i)));
                    }
                } catch (CorruptRepositoryException e) {
                    damaged.accept(e);
                }
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Registers a pack and returns its ordinal. */
    public int addPack(final Path packFile) {
        if (packs.size() > BlockLocation.MAX_PACK_ORDINAL) {
            throw new IllegalStateException("too many packs in one repository: " + packs.size());
        }
        packs.add(packFile);
        return packs.size() - 1;
    }

    public Path packPath(final int ordinal) {
        return packs.get(ordinal);
    }

    public int packCount() {
        return packs.size();
    }

    /** Records left out because the damaged-block ledger lists them. */
    public int skippedRecords() {
        return skippedRecords;
    }

    public BlockIndex index() {
        return index;
    }

    @Override
    public void close() {
        index.close();
    }
}
