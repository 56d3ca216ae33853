package io.cairn.engine.compact;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Hex;
import io.cairn.format.Repository;
import io.cairn.format.health.DamageLedger;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackLayout;
import io.cairn.format.pack.PackReader;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decides, for every sealed pack, whether compact keeps, rewrites or deletes it, and which copy of each live block
 * is the one to keep (its "owner").
 * <p>
 * Design note: a block id can sit in several packs (duplicates left by an interrupted compact, FORMAT.md 4.4).
 * Owners are chosen pack by pack in order of decreasing live share, so the copies in the fullest packs win and a
 * pack whose live blocks are all duplicates of fuller packs owns nothing and is simply deleted: a second compact
 * after an interrupted one finishes the job instead of copying the same blocks again. A pack that owns no live
 * block is always deleted; one whose unowned ("garbage") record bytes reach the threshold is rewritten.
 */
final class CompactPlan implements AutoCloseable {
    final List<PackUsage> packs;
    private final PackUsage[] byOrdinal;
    /** Live id -> location (pack ordinal, record offset) of the copy compact keeps. */
    final BlockIndex owners;
    final long liveBlocks;
    final int thresholdPct;

    private CompactPlan(final List<PackUsage> packs, final int packFiles, final BlockIndex owners,
                        final long liveBlocks, final int thresholdPct) {
        this.packs = packs;
        this.byOrdinal = new PackUsage[packFiles];
        for (PackUsage u : packs) {
            byOrdinal[u.ordinal] = u;
        }
        this.owners = owners;
        this.liveBlocks = liveBlocks;
        this.thresholdPct = thresholdPct;
    }

    /**
     * Reads every pack's footer twice (usage, then ownership); reads no record.
     *
     * @param live     the live set ({@link LiveSet})
     * @param warnings receives one line per damaged pack
     */
    static CompactPlan make(final Repository repo, final BlockIndex live, final int thresholdPct,
                            final Consumer<String> warnings) throws IOException {
        final List<Path> files = repo.packFiles();
        final List<PackUsage> packs = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            final PackUsage u = new PackUsage(files.get(i), i);
            if (measure(u, live)) {
                packs.add(u);
                if (u.fate == PackFate.DAMAGED) {
                    warnings.accept("damaged pack left alone (cairn verify names the damage): " + u.damage);
                }
            }
        }
        DamageLedger ledger;
        try {
            ledger = DamageLedger.load(repo);
        } catch (CorruptRepositoryException e) {
            warnings.accept("damaged-block ledger unreadable (cairn verify rewrites it): " + e.getMessage());
            ledger = DamageLedger.empty();
        }
        final BlockIndex owners = new BlockIndex(live.size());
        try {
            final List<PackUsage> byLiveShare = new ArrayList<>(packs.stream()
                    .filter(u -> u.fate != PackFate.DAMAGED).toList());
            byLiveShare.sort(Comparator.comparingDouble(PackUsage::liveFraction).reversed()
                    .thenComparing(u -> u.path));
            for (PackUsage u : byLiveShare) {
                own(u, live, owners, ledger);
                u.fate = decide(u, thresholdPct);
            }
            for (PackUsage u : byLiveShare) {
                keepUnsupersededDamage(u, live, owners, ledger);
            }
        } catch (IOException | RuntimeException e) {
            owners.close();
            throw e;
        }
        return new CompactPlan(packs, files.size(), owners, live.size(), thresholdPct);
    }

    /** Fills the pack's sizes and live bytes; false when it vanished (a dry run takes no lock). */
    private static boolean measure(final PackUsage u, final BlockIndex live) throws IOException {
        final PackReader r;
        try {
            r = PackReader.open(u.path);
        } catch (NoSuchFileException gone) {
            return false;
        } catch (io.cairn.format.CorruptRepositoryException e) {
            u.fate = PackFate.DAMAGED;
            u.damage = e.getMessage();
            return true;
        }
        try (r) {
            final String name = u.path.getFileName().toString();
            if (!Hex.of(r.packId()).equals(name.substring(0, name.length() - 5))) {
                u.fate = PackFate.DAMAGED;
                u.damage = u.path + ": pack id in the header differs from the file name";
                return true;
            }
            u.fileLength = r.fileLength();
            u.recordBytes = r.footerOffset() - PackLayout.HEADER_LENGTH;
            u.records = r.recordCount();
            for (int i = 0; i < r.recordCount(); i++) {
                if (live.contains(r.idHi(i), r.idLo(i))) {
                    u.liveBytes += BlockRecordLayout.HEADER_LENGTH + (long) r.storedLength(i);
                }
            }
            return true;
        }
    }

    /**
     * Makes this pack the owner of each live id that no fuller pack owns yet. A record listed in the damaged-block
     * ledger (FORMAT.md section 11) never owns: it may pass its CRC (damage only the deep check sees), so copying it
     * would carry bad bytes into a new pack that the ledger does not name.
     */
    private static void own(final PackUsage u, final BlockIndex live, final BlockIndex owners,
                            final DamageLedger ledger) throws IOException {
        final long[] listed = ledger.offsetsIn(DamageLedger.packIdOf(u.path));
        try (PackReader r = PackReader.open(u.path)) {
            for (int i = 0; i < r.recordCount(); i++) {
                final long hi = r.idHi(i);
                final long lo = r.idLo(i);
                if (listed != null && Arrays.binarySearch(listed, r.recordOffset(i)) >= 0) {
                    continue;
                }
                if (live.contains(hi, lo)
                        && owners.putIfAbsent(hi, lo, BlockLocation.pack(u.ordinal, r.recordOffset(i)))) {
                    u.ownedBytes += BlockRecordLayout.HEADER_LENGTH + (long) r.storedLength(i);
                    u.ownedRecords++;
                }
            }
        }
    }

    /**
     * A pack holding a ledger-listed record of a live block that has no intact copy anywhere is kept whatever its
     * fate: the bad record is the only trace of that block until a backup stores it again (never turn damage into
     * loss). Once a good copy exists (healed), the listed record is garbage like any other.
     */
    private static void keepUnsupersededDamage(final PackUsage u, final BlockIndex live, final BlockIndex owners,
                                               final DamageLedger ledger) throws IOException {
        final long[] listed = ledger.offsetsIn(DamageLedger.packIdOf(u.path));
        if (listed == null) {
            return;
        }
        try (PackReader r = PackReader.open(u.path)) {
            for (int i = 0; i < r.recordCount(); i++) {
                if (Arrays.binarySearch(listed, r.recordOffset(i)) >= 0 && live.contains(r.idHi(i), r.idLo(i))
                        && owners.get(r.idHi(i), r.idLo(i)) == BlockLocation.EMPTY) {
                    u.keptForDamage = true;
                    return;
                }
            }
        }
    }

    static PackFate decide(final PackUsage u, final int thresholdPct) {
        if (u.ownedRecords == 0) {
            return PackFate.DELETE;
        }
        final long garbage = u.garbageBytes();
        if (garbage > 0 && garbage * 100 >= (long) thresholdPct * u.recordBytes) {
            return PackFate.REWRITE;
        }
        return PackFate.KEEP;
    }

    /** True when the copy at {@code recordOffset} of pack {@code u} is the one compact keeps. */
    boolean owns(final PackUsage u, final long idHi, final long idLo, final long recordOffset) {
        return owners.get(idHi, idLo) == BlockLocation.pack(u.ordinal, recordOffset);
    }

    /** The pack with this ordinal (owners only point at packs that were measured). */
    PackUsage pack(final int ordinal) {
        return byOrdinal[ordinal];
    }

    /** Live ids that no intact pack holds (verify reports the points that reference them as damaged). */
    long missingLiveBlocks() {
        return liveBlocks - owners.size();
    }

    @Override
    public void close() {
        owners.close();
    }
}
