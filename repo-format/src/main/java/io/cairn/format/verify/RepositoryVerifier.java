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

    private final Repository repo;
    private final DeepCheck deep;
    private final Consumer<String> progress;
    private final List<Finding> findings = new ArrayList<>();
    /** Set when a point file cannot be read: its blocks are unknown, so no pack may be called unreferenced. */
    private boolean unreadablePoint;
    private int vanishedPoints;

    public RepositoryVerifier(final Repository repo, final DeepCheck deep, final Consumer<String> progress) {
        this.repo = repo;
        this.deep = deep;
        this.progress = progress;
    }

    public VerifyReport run() throws IOException {
        final List<Path> packFiles = repo.packFiles();
        final long[] packLength = new long[packFiles.size()];
        final boolean[] referenced = new boolean[packFiles.size()];
        final boolean[] damagedPack = new boolean[packFiles.size()];
        long records = 0;
        final int blockSize = repo.config().blockSize();
        final ByteBuffer buf = ByteBuffer.allocateDirect(blockSize);
        final BlockRecordReader rr = new BlockRecordReader(blockSize);
        try (BlockIndex good = new BlockIndex(Math.max(1024, packFiles.size() * 64L))) {
            for (int ordinal = 0; ordinal < packFiles.size(); ordinal++) {
                final Path p = packFiles.get(ordinal);
                packLength[ordinal] = Files.size(p);
                progress.accept("checking pack " + (ordinal + 1) + "/" + packFiles.size());
                final long checked = checkPack(p, ordinal, good, rr, buf);
                damagedPack[ordinal] = checked < 0;
                records += Math.max(0, checked);
            }
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
                if (!referenced[i] && !damagedPack[i]) { // a damaged pack is kept for repair, never "free"
                    reclaimable += packLength[i];
                    findings.add(new Finding.Reclaimable(packFiles.get(i), packLength[i],
                            "pack referenced by no restore point"));
                }
            }
            for (Path t : repo.tmpFiles()) {
                final long len = Files.isRegularFile(t) ? Files.size(t) : 0;
                reclaimable += len;
                findings.add(new Finding.Reclaimable(t, len, "leftover of an interrupted run"));
            }
            points -= vanishedPoints;
            checkStrayNames();
            checkImmutabilityRecord();
            intact.sort(null);
            return new VerifyReport(List.copyOf(findings), packFiles.size(), records, points, intact, reclaimable,
                    deep != null);
        }
    }

    /** Checks one pack; returns the records checked, or -1 when the pack as a whole is damaged. */
    private long checkPack(final Path p, final int ordinal, final BlockIndex good, final BlockRecordReader rr,
                           final ByteBuffer buf) throws IOException {
        final PackReader r;
        try {
            r = PackReader.open(p);
        } catch (CorruptRepositoryException e) {
            findings.add(new Finding.DamagedPack(p, e.getMessage()));
            return -1;
        }
        try (r) {
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
