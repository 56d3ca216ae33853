package io.cairn.format.verify;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.format.health.DamageLedger;
import io.cairn.format.immutable.ImmutabilityRecordCodec;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.BlockRecordReader;
import io.cairn.format.pack.PackReader;
import io.cairn.format.point.Manifest;
import io.cairn.format.point.PointLayout;
import io.cairn.format.point.PointReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The health check (FORMAT.md section 8): every pack record's CRCs, every point's file and that all its blocks
 * exist intact; with a {@link DeepCheck}, also decompress and re-hash. Returns findings instead of stopping at the
 * first problem. Runs with repo-format alone; the deep check's codec and hash come from the caller.
 * <p>
 * Damaged-block ledger (section 11): records it lists count as damaged without being read again; records found
 * damaged now and not listed are returned in {@link VerifyReport#newDamage()} for the caller to record (this class
 * writes nothing). Each point gets a status: intact, healed (an id of it once had a damaged record and now has an
 * intact copy) or damaged (block numbers without an intact record).
 */
public final class RepositoryVerifier {
    /** Decompresses and re-hashes one record's stored bytes; returns null when fine, else what is wrong. */
    @FunctionalInterface
    public interface DeepCheck {
        String check(ByteBuffer stored, int codec, int rawLength, long idHi, long idLo);
    }

    /** checkPack's answer for a pack deleted (by compact) between the listing and its opening. */
    private static final long VANISHED = Long.MIN_VALUE;
    /** Bound on listing the packs again after some vanished (each compact run deletes only after it published). */
    private static final int MAX_RELISTS = 8;

    private final Repository repo;
    private final DeepCheck deep;
    private final Consumer<String> progress;
    private final List<Finding> findings = new ArrayList<>();
    private final List<PointHealth> points = new ArrayList<>();
    /** Damaged records, listed or found now; they become findings once every pack is read. */
    private final List<BadRecord> badRecords = new ArrayList<>();
    private DamageLedger ledger = DamageLedger.empty();
    private boolean ledgerUnreadable;
    /** Set when a point file cannot be read: its blocks are unknown, so no pack may be called unreferenced. */
    private boolean unreadablePoint;
    private int vanishedPacks;
    /** The file length of the pack checkPack last opened (0 when it could not be opened). */
    private long lastPackLength;

    public RepositoryVerifier(final Repository repo, final DeepCheck deep, final Consumer<String> progress) {
        this.repo = repo;
        this.deep = deep;
        this.progress = progress;
    }

    /** A record that is damaged: listed in the ledger, or failing a check now (detail says which). */
    private record BadRecord(Path pack, long offset, long idHi, long idLo, String detail, boolean listed) {
    }

    public VerifyReport run() throws IOException {
        try {
            ledger = DamageLedger.load(repo);
        } catch (CorruptRepositoryException e) {
            ledgerUnreadable = true;
            findings.add(new Finding.Warning("damaged-block ledger unreadable, it will be rewritten from what this"
                    + " check finds: " + e.getMessage()));
        }
        final List<Path> packFiles = new ArrayList<>(repo.packFiles());
        long[] packLength = new long[packFiles.size()];
        boolean[] damagedPack = new boolean[packFiles.size()];
        long records = 0;
        final int blockSize = repo.config().blockSize();
        final ByteBuffer buf = ByteBuffer.allocateDirect(blockSize);
        final BlockRecordReader rr = new BlockRecordReader(blockSize);
        try (BlockIndex good = new BlockIndex(Math.max(1024, packFiles.size() * 64L));
             BlockIndex everDamaged = new BlockIndex(ledger.size())) {
            for (DamageLedger.Entry e : ledger.entries()) { // entries of vanished packs too: their points healed
                final long[] id = BlockId.parseHex(e.blockId());
                noteDamage(everDamaged, id[0], id[1], e.found().toEpochMilli());
            }
            int checked = 0;
            for (int round = 0; ; round++) {
                boolean vanished = false;
                for (int ordinal = checked; ordinal < packFiles.size(); ordinal++) {
                    final Path p = packFiles.get(ordinal);
                    progress.accept("checking pack " + (ordinal + 1) + "/" + packFiles.size());
                    final long n = checkPack(p, ordinal, good, rr, buf);
                    if (n == VANISHED) {
                        vanished = true;
                        continue;
                    }
                    packLength[ordinal] = lastPackLength;
                    damagedPack[ordinal] = n < 0;
                    records += Math.max(0, n);
                }
                checked = packFiles.size();
                // A compact running beside verify publishes a pack's replacements before it deletes the pack
                // (FORMAT.md section 10): when a listed pack vanished, list again and check the packs that appeared.
                if (!vanished || round >= MAX_RELISTS) {
                    break;
                }
                final java.util.Set<Path> known = new java.util.HashSet<>(packFiles);
                for (Path p : repo.packFiles()) {
                    if (known.add(p)) {
                        packFiles.add(p);
                    }
                }
                packLength = Arrays.copyOf(packLength, packFiles.size());
                damagedPack = Arrays.copyOf(damagedPack, packFiles.size());
            }
            final boolean[] referenced = new boolean[packFiles.size()];
            final List<DamageLedger.Entry> newDamage = new ArrayList<>();
            final Instant now = Instant.now();
            for (BadRecord b : badRecords) {
                if (!b.listed()) { // a listed record's time is its ledger entry's, noted above
                    noteDamage(everDamaged, b.idHi(), b.idLo(), now.toEpochMilli());
                }
                final boolean superseded = good.get(b.idHi(), b.idLo()) != BlockLocation.EMPTY;
                findings.add(new Finding.DamagedRecord(b.pack(), b.offset(), BlockId.toHex(b.idHi(), b.idLo()),
                        b.detail(), b.listed(), superseded));
                if (!b.listed()) {
                    newDamage.add(new DamageLedger.Entry(DamageLedger.packIdOf(b.pack()), b.offset(),
                            BlockId.toHex(b.idHi(), b.idLo()), now));
                }
            }
            for (Path pf : repo.pointFiles(null)) {
                progress.accept("checking restore point " + pf.getFileName());
                checkPoint(pf, good, everDamaged, referenced);
            }
            long reclaimable = 0;
            if (unreadablePoint) {
                findings.add(new Finding.Warning("a restore point file is unreadable, so which packs are unreferenced"
                        + " is unknown: no pack is reported as reclaimable"));
            }
            for (int i = 0; i < packFiles.size() && !unreadablePoint; i++) {
                // a damaged pack is kept for repair, never "free"; a pack compact deleted meanwhile is not here
                if (!referenced[i] && !damagedPack[i] && Files.exists(packFiles.get(i))) {
                    reclaimable += packLength[i];
                    findings.add(new Finding.Reclaimable(packFiles.get(i), packLength[i],
                            "pack referenced by no restore point"));
                }
            }
            for (Path t : repo.tmpFiles()) {
                final long len;
                try {
                    len = Files.isRegularFile(t) ? Files.size(t) : 0;
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // removed meanwhile by the run that left it (a deletion's last step)
                }
                reclaimable += len;
                findings.add(new Finding.Reclaimable(t, len, "leftover of an interrupted run"));
            }
            checkStrayNames();
            checkImmutabilityRecord();
            points.sort(java.util.Comparator.comparing(PointHealth::id));
            final List<String> intact = points.stream().filter(p -> p.status() == PointHealth.Status.INTACT)
                    .map(PointHealth::id).toList();
            return new VerifyReport(List.copyOf(findings), packFiles.size() - vanishedPacks, records, points.size(),
                    intact,
                    reclaimable, deep != null, List.copyOf(points), List.copyOf(newDamage), ledgerUnreadable);
        }
    }

    /**
     * Checks one pack; returns the records checked, -1 when the pack as a whole is damaged, or {@link #VANISHED}
     * when it was deleted after the listing. An open pack stays readable when compact deletes it meanwhile.
     */
    private long checkPack(final Path p, final int ordinal, final BlockIndex good, final BlockRecordReader rr,
                           final ByteBuffer buf) throws IOException {
        lastPackLength = 0;
        final PackReader r;
        try {
            r = PackReader.open(p);
        } catch (java.nio.file.NoSuchFileException e) {
            vanishedPacks++;
            return VANISHED;
        } catch (CorruptRepositoryException e) {
            findings.add(new Finding.DamagedPack(p, e.getMessage()));
            return -1;
        }
        try (r) {
            lastPackLength = r.fileLength();
            final String name = p.getFileName().toString();
            if (!Hex.of(r.packId()).equals(name.substring(0, name.length() - 5))) {
                findings.add(new Finding.DamagedPack(p, "pack id in the header differs from the file name"));
                return -1;
            }
            final long[] listed = ledger.offsetsIn(DamageLedger.packIdOf(p));
            for (int i = 0; i < r.recordCount(); i++) {
                final long off = r.recordOffset(i);
                final long hi = r.idHi(i);
                final long lo = r.idLo(i);
                if (listed != null && Arrays.binarySearch(listed, off) >= 0) {
                    badRecords.add(new BadRecord(p, off, hi, lo, "listed in the damaged-block ledger", true));
                    continue;
                }
                try {
                    rr.read(r.channel(), p, off, buf);
                    rr.requireId(p, off, hi, lo);
                    if (rr.rawLength() != r.rawLength(i) || rr.storedLength() != r.storedLength(i)) {
                        throw new CorruptRepositoryException(p, off, "record lengths differ from the footer's");
                    }
                    if (deep != null) {
                        final String problem = deep.check(buf, rr.codec(), rr.rawLength(), hi, lo);
                        if (problem != null) {
                            throw new CorruptRepositoryException(p, off, problem + " ("
                                    + BlockRecordLayout.codecName(rr.codec()) + ")");
                        }
                    }
                    good.putIfAbsent(hi, lo, BlockLocation.pack(ordinal, off));
                } catch (CorruptRepositoryException e) {
                    badRecords.add(new BadRecord(p, off, hi, lo, e.getMessage(), false));
                }
            }
            return r.recordCount();
        }
    }

    /**
     * everDamaged maps a block id to the latest time (ms) one of its records was found damaged. A point created
     * before that time referenced the bad record (it is healed once an intact copy exists); a point created after
     * it never did (backups skip listed records), so it is intact.
     */
    private static void noteDamage(final BlockIndex everDamaged, final long hi, final long lo, final long foundMs) {
        final long at = Math.max(1, foundMs); // a location must not be EMPTY (0)
        if (everDamaged.get(hi, lo) < at) {
            everDamaged.put(hi, lo, at);
        }
    }

    /** The creation time of a point from its UUIDv7 id (the first 48 bits are Unix milliseconds). */
    static long createdMillis(final String pointId) {
        return Long.parseLong(pointId.substring(0, 8) + pointId.substring(9, 13), 16);
    }

    private void checkPoint(final Path pf, final BlockIndex good, final BlockIndex everDamaged,
                            final boolean[] referenced) throws IOException {
        final String n = pf.getFileName().toString();
        final String id = n.substring(0, n.length() - PointLayout.SUFFIX.length());
        final String disk = pf.getParent().getFileName().toString();
        final BlockRanges bad = new BlockRanges();
        try (PointReader r = PointReader.open(pf)) {
            r.verifyMap();
            final Manifest m = r.manifest();
            if (!id.equals(m.get(Manifest.ID)) || !disk.equals(m.get(Manifest.DISK))) {
                damagedPoint(id, disk, pf, "manifest id/disk differ from the path", bad);
                return;
            }
            final boolean anyDamageKnown = everDamaged.size() > 0;
            final long createdMs = createdMillis(id);
            long healed = 0;
            for (long b = 0; b < r.blockCount(); b++) {
                final long hi = r.idHi(b);
                final long lo = r.idLo(b);
                if (BlockId.isZero(hi, lo)) {
                    continue;
                }
                final long loc = good.get(hi, lo);
                if (loc == BlockLocation.EMPTY) {
                    bad.add(b);
                } else {
                    referenced[BlockLocation.packOrdinal(loc)] = true;
                    if (anyDamageKnown && everDamaged.get(hi, lo) > createdMs) {
                        healed++;
                    }
                }
            }
            if (!bad.isEmpty()) {
                damagedPoint(id, disk, pf, "blocks missing or damaged", bad);
            } else {
                points.add(new PointHealth(id, disk, healed > 0 ? PointHealth.Status.HEALED
                        : PointHealth.Status.INTACT, "", bad, healed));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // deleted between the listing and open (retention): not damage, not a point any more
        } catch (CorruptRepositoryException e) {
            unreadablePoint = true;
            damagedPoint(id, disk, pf, e.getMessage(), bad);
        }
    }

    private void damagedPoint(final String id, final String disk, final Path pf, final String detail,
                              final BlockRanges bad) {
        findings.add(new Finding.DamagedPoint(id, disk, pf, detail, bad));
        points.add(new PointHealth(id, disk, PointHealth.Status.DAMAGED, detail, bad, 0));
    }

    /** FORMAT.md section 12: the record must parse and match its CRC (an absent record is fine). */
    private void checkImmutabilityRecord() throws IOException {
        try {
            ImmutabilityRecordCodec.read(repo.dir());
        } catch (CorruptRepositoryException e) {
            findings.add(new Finding.DamagedFile(repo.dir().resolve(ImmutabilityRecordCodec.FILE_NAME),
                    e.getMessage() + " (deletes are refused until it is repaired)"));
        } catch (io.cairn.format.FormatTooNewException e) {
            findings.add(new Finding.Warning(e.getMessage()));
        }
    }

    private void checkStrayNames() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(repo.dir().resolve(Repository.POINTS))) {
            for (Path d : ds) {
                if (!Files.isDirectory(d) || !Ids.isDiskName(d.getFileName().toString())) {
                    findings.add(new Finding.Warning("unexpected entry " + d));
                }
            }
        }
    }
}
