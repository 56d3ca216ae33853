package io.cairn.format.health;

import io.cairn.format.Checksums;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Durable;
import io.cairn.format.Hex;
import io.cairn.format.Repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The damaged-block ledger, {@code REPO/health/damaged} (FORMAT.md section 11): the pack records that a health
 * check found damaged (a CRC that fails, or content that does not re-hash to its id). Readers that build the block
 * index ({@code PackCatalog.load}) leave these records out, so their ids count as absent unless another intact copy
 * exists: the next backup stores those blocks again and restore uses the good copy.
 * <p>
 * An instance is an immutable snapshot of the file. Only {@link #add} writes, under the writer lock, by
 * read-merge-replace (tmp, fsync, rename, fsync dir), so a crash leaves the old or the new ledger, never a mix.
 * Entries are never removed by format-v1 code: an entry whose pack no longer exists (compact removed it) matches no
 * record and is harmless; its block id still tells verify that the points using that id were healed.
 * <p>
 * Threads: immutable; safe to share.
 */
public final class DamageLedger {
    public static final String DIR = "health";
    public static final String FILE_NAME = "damaged";
    static final String FORMAT_LINE = "format=cairn-damaged-blocks";
    static final int VERSION = 1;
    /** Bound on the file (FORMAT.md 3.1): about 600 000 entries. */
    static final long MAX_LENGTH = 64L * 1024 * 1024;
    private static final String ENTRY_KEY = "damaged=";
    private static final String CRC_KEY = "crc32c=";
    private static final DamageLedger EMPTY = new DamageLedger(List.of());

    /**
     * One damaged record.
     *
     * @param packId       32 lowercase hex digits: the pack file is {@code packs/ab/<packId>.pack}
     * @param recordOffset offset of the record header in the pack
     * @param blockId      32 lowercase hex digits, the id the pack's footer gives the record
     * @param found        when a health check first found it
     */
    public record Entry(String packId, long recordOffset, String blockId, Instant found) {
        public Entry {
            if (!Hex.isHex(packId, 16)) {
                throw new IllegalArgumentException("pack id must be 32 lowercase hex digits: " + packId);
            }
            if (!Hex.isHex(blockId, 16)) {
                throw new IllegalArgumentException("block id must be 32 lowercase hex digits: " + blockId);
            }
            if (recordOffset < 0) {
                throw new IllegalArgumentException("record offset must not be negative: " + recordOffset);
            }
            found = Instant.ofEpochMilli(found.toEpochMilli()); // the file keeps milliseconds
        }
    }

    private final List<Entry> entries;
    /** Pack id -> sorted record offsets: what PackCatalog.load asks once per pack. */
    private final Map<String, long[]> offsetsByPack;

    private DamageLedger(final List<Entry> entries) {
        this.entries = List.copyOf(entries);
        final Map<String, List<Long>> grouped = new HashMap<>();
        for (Entry e : this.entries) {
            grouped.computeIfAbsent(e.packId(), k -> new ArrayList<>()).add(e.recordOffset());
        }
        final Map<String, long[]> m = new HashMap<>();
        grouped.forEach((pack, offsets) -> {
            final long[] a = offsets.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(a);
            m.put(pack, a);
        });
        this.offsetsByPack = m;
    }

    /** A ledger with no entries. */
    public static DamageLedger empty() {
        return EMPTY;
    }

    /** The pack id of a pack file, from its name {@code <packId>.pack} (the name a ledger entry keys on). */
    public static String packIdOf(final Path packFile) {
        final String n = packFile.getFileName().toString();
        return n.endsWith(".pack") ? n.substring(0, n.length() - ".pack".length()) : n;
    }

    /** {@code REPO/health/damaged}. */
    public static Path path(final Repository repo) {
        return repo.dir().resolve(DIR).resolve(FILE_NAME);
    }

    /**
     * Reads the ledger; an absent file is an empty ledger (a repository where nothing was ever found damaged).
     *
     * @throws CorruptRepositoryException when the file breaks section 11 (bad CRC, bound, line); callers that only
     *                                    read choose to go on without it, verify rewrites it
     */
    public static DamageLedger load(final Repository repo) throws IOException {
        final Path file = path(repo);
        final long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
        if (size > MAX_LENGTH) {
            throw new CorruptRepositoryException(file, -1, "damaged-block ledger is " + size + " bytes, more than "
                    + MAX_LENGTH);
        }
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
        return decode(file, bytes);
    }

    /** Every entry, in file order (oldest first). */
    public List<Entry> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** True when the record at recordOffset of pack packId is listed as damaged. */
    public boolean contains(final String packId, final long recordOffset) {
        final long[] offsets = offsetsByPack.get(packId);
        return offsets != null && Arrays.binarySearch(offsets, recordOffset) >= 0;
    }

    /** Sorted offsets of the damaged records of one pack, or null when none is listed (the common case). */
    public long[] offsetsIn(final String packId) {
        final long[] offsets = offsetsByPack.get(packId);
        return offsets == null ? null : offsets.clone();
    }

    /**
     * Adds entries to the repository's ledger: re-reads the file, appends the entries not yet listed (same pack and
     * offset), and replaces the file atomically. An unreadable (corrupt) old file is replaced by the new entries
     * alone: the caller, verify, passes every damaged record it found, so only what an earlier deep check alone
     * could see is lost, until the next deep check finds it again.
     * <p>
     * The caller must hold the writer lock of {@code repo} ({@link Repository#lockForWrite}); otherwise this
     * throws IllegalStateException and writes nothing.
     *
     * @return the number of entries that were new
     */
    public static int add(final Repository repo, final Collection<Entry> newEntries) throws IOException {
        repo.requireWriterLock("recording damaged blocks");
        DamageLedger current;
        boolean unreadable = false;
        try {
            current = load(repo);
        } catch (CorruptRepositoryException e) {
            current = EMPTY;
            unreadable = true;
        }
        final Map<String, Entry> merged = new LinkedHashMap<>();
        for (Entry e : current.entries) {
            merged.putIfAbsent(key(e), e);
        }
        final int before = merged.size();
        for (Entry e : newEntries) {
            merged.putIfAbsent(key(e), e);
        }
        final int added = merged.size() - before;
        if (added == 0 && !unreadable) {
            return 0;
        }
        final Path dir = repo.dir().resolve(DIR);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Durable.fsyncDirectory(repo.dir());
        }
        final byte[] bytes = encode(new ArrayList<>(merged.values())).getBytes(StandardCharsets.UTF_8);
        Durable.writeAtomically(repo.tmpDir().resolve(DIR + "-" + FILE_NAME + ".tmp"), path(repo), bytes);
        return added;
    }

    private static String key(final Entry e) {
        return e.packId() + "@" + e.recordOffset();
    }

    /** The file's text (section 11): header lines, one line per entry, then the crc32c line. */
    static String encode(final List<Entry> entries) {
        final StringBuilder sb = new StringBuilder();
        sb.append("# Cairn damaged-block ledger (repo-format/FORMAT.md section 11). Written by cairn verify.\n");
        sb.append(FORMAT_LINE).append('\n');
        sb.append("version=").append(VERSION).append('\n');
        for (Entry e : entries) {
            sb.append(ENTRY_KEY).append(e.packId()).append(' ').append(e.recordOffset()).append(' ')
                    .append(e.blockId()).append(' ').append(e.found()).append('\n');
        }
        final byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        sb.append(CRC_KEY).append(String.format("%08x", Checksums.crc32c(body, 0, body.length))).append('\n');
        return sb.toString();
    }

    static DamageLedger decode(final Path file, final byte[] bytes) throws CorruptRepositoryException {
        // the crc32c line is the last line and covers every byte before it
        int end = bytes.length;
        if (end == 0 || bytes[end - 1] != '\n') {
            throw new CorruptRepositoryException(file, -1, "damaged-block ledger does not end with a line break"
                    + " (truncated)");
        }
        int crcLine = end - 1;
        while (crcLine > 0 && bytes[crcLine - 1] != '\n') {
            crcLine--;
        }
        final String last = new String(bytes, crcLine, end - 1 - crcLine, StandardCharsets.US_ASCII);
        final String expected = String.format("%08x", Checksums.crc32c(bytes, 0, crcLine));
        if (!last.startsWith(CRC_KEY)) {
            throw new CorruptRepositoryException(file, crcLine, "damaged-block ledger has no crc32c last line");
        }
        if (!last.substring(CRC_KEY.length()).equals(expected)) {
            throw new CorruptRepositoryException(file, crcLine, "damaged-block ledger checksum mismatch: actual="
                    + expected + " expected=" + last.substring(CRC_KEY.length()));
        }
        final String text = new String(bytes, 0, crcLine, StandardCharsets.UTF_8);
        final List<Entry> out = new ArrayList<>();
        boolean format = false;
        boolean version = false;
        int offset = 0;
        for (String line : text.split("\n", -1)) {
            final int lineOffset = offset;
            offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.equals(FORMAT_LINE)) {
                format = true;
            } else if (line.startsWith("version=")) {
                if (!line.equals("version=" + VERSION)) {
                    throw new CorruptRepositoryException(file, lineOffset, "damaged-block ledger " + line
                            + " is not supported (this version of Cairn reads version " + VERSION + ")");
                }
                version = true;
            } else if (line.startsWith(ENTRY_KEY)) {
                out.add(parseEntry(file, lineOffset, line.substring(ENTRY_KEY.length())));
            } else {
                throw new CorruptRepositoryException(file, lineOffset, "damaged-block ledger line not understood: "
                        + abbreviate(line));
            }
        }
        if (!format || !version) {
            throw new CorruptRepositoryException(file, -1, "damaged-block ledger lacks its format or version line");
        }
        return new DamageLedger(out);
    }

    private static Entry parseEntry(final Path file, final int lineOffset, final String value)
            throws CorruptRepositoryException {
        final String[] f = value.split(" ", -1);
        try {
            if (f.length != 4) {
                throw new IllegalArgumentException("expected 4 fields, found " + f.length);
            }
            return new Entry(f[0], Long.parseLong(f[1]), f[2], Instant.parse(f[3]));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new CorruptRepositoryException(file, lineOffset, "damaged-block ledger entry '"
                    + abbreviate(value) + "' is malformed: " + e.getMessage());
        }
    }

    private static String abbreviate(final String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
