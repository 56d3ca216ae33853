package io.cairn.format;

import io.cairn.format.health.DamageLedger;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.PackReader;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private BlockIndex index;
    private int skippedRecords;

    private PackCatalog(final long expectedEntries) {
        this.index = new BlockIndex(expectedEntries);
    }

    /**
     * Reads every sealed pack's trailer and footer. A pack that fails its checks is passed to {@code damaged} and
     * left out, so its blocks count as absent (a backup stores them again). A pack that vanishes between the listing
     * and its opening (deleted by a compact running beside a reader) is left out too; compact publishes a pack's
     * replacements before it deletes it, so a reader that misses a block reloads the catalog (see {@link #reload}).
     * Records listed in the damaged-block ledger (FORMAT.md section 11) are left out too: their ids are absent
     * unless another, intact copy exists, so a backup stores them again and restore reads the good copy. An
     * unreadable ledger is passed to {@code damaged} and ignored (verify rewrites it).
     *
     * @param expectedNewEntries room to reserve for blocks that the caller will add
     */
    public static PackCatalog load(final Repository repo, final long expectedNewEntries,
                                   final Consumer<CorruptRepositoryException> damaged) throws IOException {
        final List<Path> files = repo.packFiles();
        long estimate = expectedNewEntries;
        for (Path p : files) {
            try {
                estimate += Math.max(1, java.nio.file.Files.size(p) / Math.max(1, repo.config().blockSize() / 4));
            } catch (NoSuchFileException vanished) {
                // deleted by compact meanwhile; skipped below as well
            }
        }
        final PackCatalog c = new PackCatalog(Math.max(1024, estimate));
        try {
            c.indexPacks(files, ledger(repo, damaged), c.index, new HashMap<>(), damaged);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Rebuilds the index from the packs present now, for a reader that found a pack gone or a block missing while a
     * compact ran beside it (compact publishes a pack's replacements before it deletes it, FORMAT.md section 10).
     * Every known pack keeps its ordinal, so locations that a reader holds stay valid; new packs get new ordinals;
     * packs that are gone drop out of the index. Returns the number of packs that appeared or vanished (0: nothing
     * changed, retrying is pointless).
     * <p>
     * Threads: the caller must be the only thread using {@link #index()} (the old index is closed here); other
     * threads may still call {@link #packPath} for ordinals they were handed.
     */
    public int reload(final Repository repo, final Consumer<CorruptRepositoryException> damaged) throws IOException {
        final Map<Path, Integer> known = new HashMap<>();
        for (int i = 0; i < packs.size(); i++) {
            known.put(packs.get(i), i);
        }
        final BlockIndex fresh = new BlockIndex(Math.max(1024, index.size() + 1024));
        final int present;
        try {
            skippedRecords = 0;
            present = indexPacks(repo.packFiles(), ledger(repo, damaged), fresh, known, damaged);
        } catch (IOException | RuntimeException e) {
            fresh.close();
            throw e;
        }
        final BlockIndex old = index;
        index = fresh;
        old.close();
        return (packs.size() - known.size()) + (known.size() - present);
    }

    private static DamageLedger ledger(final Repository repo, final Consumer<CorruptRepositoryException> damaged)
            throws IOException {
        try {
            return DamageLedger.load(repo);
        } catch (CorruptRepositoryException e) {
            damaged.accept(e);
            return DamageLedger.empty();
        }
    }

    /**
     * Puts the intact, unlisted records of {@code files} into {@code target}; packs in {@code known} keep their
     * ordinal, others are added. Returns how many known packs were found.
     */
    private int indexPacks(final List<Path> files, final DamageLedger ledger, final BlockIndex target,
                           final Map<Path, Integer> known, final Consumer<CorruptRepositoryException> damaged)
            throws IOException {
        int present = 0;
        for (Path p : files) {
            try (PackReader r = PackReader.open(p)) {
                final Integer old = known.get(p);
                final int ordinal = old != null ? old : addPack(p);
                present += old != null ? 1 : 0;
                final long[] bad = ledger.offsetsIn(DamageLedger.packIdOf(p));
                for (int i = 0; i < r.recordCount(); i++) {
                    if (bad != null && Arrays.binarySearch(bad, r.recordOffset(i)) >= 0) {
                        skippedRecords++;
                        continue;
                    }
                    target.putIfAbsent(r.idHi(i), r.idLo(i), BlockLocation.pack(ordinal, r.recordOffset(i)));
                }
            } catch (CorruptRepositoryException e) {
                damaged.accept(e);
            } catch (NoSuchFileException vanished) {
                // deleted by compact after the listing: its live blocks are in packs published before
            }
        }
        return present;
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
