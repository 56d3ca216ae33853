package io.cairn.format.verify;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The health check (FORMAT.md section 8): every pack record's CRCs, every point's file and that all its blocks
 * exist intact; with a {@link DeepCheck}, also decompress and re-hash. Returns findings instead of stopping at the
 * first problem. Runs with repo-format alone; the deep check's codec and hash come from the caller.
 */
public final class RepositoryVerifier {
    /** Decompresses and re-hashes one record's stored bytes; returns null when fine, else what is wrong. */
    @FunctionalInterface
    public interface DeepCheck {
        String check(ByteBuffer stored, int codec, int rawLength, long idHi, long idLo);
    }

    private static final int MAX_LISTED_BLOCKS = 10;
    /** checkPack's answer for a pack deleted (by compact) between the listing and its opening. */
    private static final long VANISHED = Long.MIN_VALUE;
    /** Bound on listing the packs again after some vanished (each compact run deletes only after it published). */
    private static final int MAX_RELISTS = 8;

    private final Repository repo;
    private final DeepCheck deep;
    private final Consumer<String> progress;
    private final List<Finding> findings = new ArrayList<>();
    /** Set when a point file cannot be read: its blocks are unknown, so no pack may be called unreferenced. */
    private boolean unreadablePoint;
    private int vanishedPoints;
    private int vanishedPacks;
    /** The file length of the pack checkPack last opened (0 when it could not be opened). */
    private long lastPackLength;

    public RepositoryVerifier(final Repository repo, final DeepCheck deep, final Consumer<String> progress) {
        this.repo = repo;
        this.deep = deep;
        this.progress = progress;
    }

    public VerifyReport run() throws IOException {
        final List<Path> packFiles = new ArrayList<>(repo.packFiles());
        long[] packLength = new long[packFiles.size()];
        boolean[] damagedPack = new boolean[packFiles.size()];
        long records = 0;
        final int blockSize = repo.config().blockSize();
        final ByteBuffer buf = ByteBuffer.allocateDirect(blockSize);
        final BlockRecordReader rr = new BlockRecordReader(blockSize);
        try (BlockIndex good = new BlockIndex(Math.max(1024, packFiles.size() * 64L))) {
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
                packLength = java.util.Arrays.copyOf(packLength, packFiles.size());
                damagedPack = java.util.Arrays.copyOf(damagedPack, packFiles.size());
            }
            final boolean[] referenced = new boolean[packFiles.size()];
            int points = 0;
            final List<String> intact = new ArrayList<>();
            for (Path pf : repo.pointFiles(null)) {
                points++;
                progress.accept("checking restore point " + pf.getFileName());
                if (checkPoint(pf, good, referenced)) {
                    final String n = pf.getFileName().toString();
                    intact.add(n.substring(0, n.length() - PointLayout.SUFFIX.length()));
                }
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
            points -= vanishedPoints;
            checkStrayNames();
            checkImmutabilityRecord();
            intact.sort(null);
            return new VerifyReport(List.copyOf(findings), packFiles.size() - vanishedPacks, records, points, intact,
                    reclaimable, deep != null);
        }
    }

    /**
     * Checks one pack; returns the records checked, -1 when the pack as a whole is damaged, or {@link #VANISHED}
     * when it was deleted after the listing. An open pack stays readable when compact deletes it meanwhile.
     */
    private long checkPack(final Path p, final int ordinal, final BlockIndex good, final BlockRecordReader rr,
                           final ByteBuffer buf) throws IOException {
        final PackReader r;
        lastPackLength = 0;
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
            for (int i = 0; i < r.recordCount(); i++) {
                final long off = r.recordOffset(i);
                final long hi = r.idHi(i);
                final long lo = r.idLo(i);
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
                    findings.add(new Finding.DamagedRecord(p, off, BlockId.toHex(hi, lo), e.getMessage()));
                }
            }
            return r.recordCount();
        }
    }

    private boolean checkPoint(final Path pf, final BlockIndex good, final boolean[] referenced) throws IOException {
        final String n = pf.getFileName().toString();
        final String id = n.substring(0, n.length() - PointLayout.SUFFIX.length());
        final String disk = pf.getParent().getFileName().toString();
        try (PointReader r = PointReader.open(pf)) {
            r.verifyMap();
            final Manifest m = r.manifest();
            if (!id.equals(m.get(Manifest.ID)) || !disk.equals(m.get(Manifest.DISK))) {
                findings.add(new Finding.DamagedPoint(id, disk, pf, "manifest id/disk differ from the path", 0,
                        new long[0]));
                return false;
            }
            long bad = 0;
            final long[] first = new long[MAX_LISTED_BLOCKS];
            for (long b = 0; b < r.blockCount(); b++) {
                final long hi = r.idHi(b);
                final long lo = r.idLo(b);
                if (BlockId.isZero(hi, lo)) {
                    continue;
                }
                final long loc = good.get(hi, lo);
                if (loc == BlockLocation.EMPTY) {
                    if (bad < MAX_LISTED_BLOCKS) {
                        first[(int) bad] = b;
                    }
                    bad++;
                } else {
                    referenced[BlockLocation.packOrdinal(loc)] = true;
                }
            }
            if (bad > 0) {
                findings.add(new Finding.DamagedPoint(id, disk, pf, "blocks missing or damaged", bad,
                        java.util.Arrays.copyOf(first, (int) Math.min(bad, MAX_LISTED_BLOCKS))));
                return false;
            }
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            vanishedPoints++; // deleted between the listing and open (retention): not damage
            return false;
        } catch (CorruptRepositoryException e) {
            unreadablePoint = true;
            findings.add(new Finding.DamagedPoint(id, disk, pf, e.getMessage(), 0, new long[0]));
            return false;
        }
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
