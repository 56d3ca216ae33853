package io.cairn.engine.source.vhdx;

import io.cairn.engine.source.vhdx.VhdxHeaders.Header;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32C;

import static io.cairn.engine.source.vhdx.VhdxLayout.*;

/**
 * Replays a VHDX log (MS-VHDX 2.3) into a {@link LogOverlay} instead of into the file, so that a backup source is
 * never written to. The search follows QEMU's {@code vhdx_log_search}: walk the circular log once, sector by
 * sector, collect runs of valid entries with consecutive sequence numbers, and take the run whose last entry has the
 * highest sequence number. Each entry is checked (signature, length, log GUID, CRC-32C over the whole entry with
 * the checksum field zeroed, descriptor and data sector signatures and sequence numbers) before it counts.
 * <p>
 * Work is linear in the log length: every sector is examined as an entry start at most once, and each sequence's
 * entries are consumed as it is read. Memory is one 4 KiB sector plus the descriptors of the active sequence.
 */
final class VhdxLog {
    private static final int SECTOR = 4096;
    private static final int LOGE = 0x65676f6c, ZERO = 0x6f72657a, DESC = 0x63736564, DATA = 0x61746164;

    private final VhdxFile file;
    private final long base;
    private final long sectors;
    private final UUID logGuid;
    private final MemorySegment sector;
    private long cachedSector = -1;

    private VhdxLog(final VhdxFile file, final Header header) {
        this.file = file;
        this.base = header.logOffset();
        this.sectors = header.logLength() / SECTOR;
        this.logGuid = header.logGuid();
        this.sector = file.arena().allocate(SECTOR, SECTOR);
    }

    /** Finds the active log sequence and lays it over the file; an empty overlay when no valid entry exists. */
    static LogOverlay replay(final VhdxFile file, final Header header) throws IOException {
        return new VhdxLog(file, header).replay();
    }

    private LogOverlay replay() throws IOException {
        long bestStart = -1, bestCount = 0, bestSeq = 0;
        long pos = 0;
        while (pos < sectors) {
            final long first = entrySectors(pos, 0);
            if (first <= 0) {
                pos += Math.max(1, -first);
                continue;
            }
            long seq = sequenceOf(pos);
            long count = 1, consumed = first;
            while (consumed < sectors) {
                final long next = entrySectors((pos + consumed) % sectors, seq + 1);
                if (next <= 0 || consumed + next > sectors) {
                    break;
                }
                seq = seq + 1;
                count++;
                consumed += next;
            }
            if (bestStart < 0 || Long.compareUnsigned(seq, bestSeq) > 0) {
                bestStart = pos;
                bestCount = count;
                bestSeq = seq;
            }
            pos += consumed;
        }
        return bestStart < 0 ? LogOverlay.EMPTY : collect(bestStart, bestCount);
    }

    private long sequenceOf(final long s) throws IOException {
        return load(s).get(U64, 16);
    }

    /**
     * Validates the entry starting at log sector s: its length in sectors when valid (and, if expectedSeq is not 0,
     * its sequence number equals it), else minus the sectors to skip (at least 1).
     */
    private long entrySectors(final long s, final long expectedSeq) throws IOException {
        final MemorySegment h = load(s);
        if (h.get(U32, 0) != LOGE) {
            return -1;
        }
        final long entryLength = h.get(U32, 8) & 0xFFFFFFFFL;
        final long seq = h.get(U64, 16);
        final long descCount = h.get(U32, 24) & 0xFFFFFFFFL;
        if (entryLength == 0 || entryLength % SECTOR != 0 || entryLength / SECTOR > sectors || seq == 0
                || !guid(h, 32).equals(logGuid) || descCount * 32 > entryLength
                || (expectedSeq != 0 && seq != expectedSeq)) {
            return -1;
        }
        final long total = entryLength / SECTOR;
        final long descSectors = (descCount + 2 + 127) / 128;
        if (descSectors > total) {
            return -total;
        }
        final int stored = h.get(U32, 4);
        final CRC32C crc = new CRC32C();
        for (long i = 0; i < total; i++) {
            final MemorySegment x = load((s + i) % sectors);
            if (i == 0) {
                crc.update(x.asSlice(0, 4).asByteBuffer());
                crc.update(new byte[4]);
                crc.update(x.asSlice(8).asByteBuffer());
            } else {
                crc.update(x.asByteBuffer());
            }
        }
        if ((int) crc.getValue() != stored) {
            return -total;
        }
        long data = 0;
        for (long i = 0; i < descCount; i++) {
            final long at = 64 + 32 * i;
            final MemorySegment d = load((s + at / SECTOR) % sectors);
            final long o = at % SECTOR;
            final int sig = d.get(U32, o);
            final long fileOffset = d.get(U64, o + 16);
            if (d.get(U64, o + 24) != seq || fileOffset % SECTOR != 0 || fileOffset < 0) {
                return -total;
            }
            if (sig == ZERO) {
                final long zeroLength = d.get(U64, o + 8);
                if (zeroLength % SECTOR != 0 || zeroLength < 0 || fileOffset > Long.MAX_VALUE - zeroLength) {
                    return -total;
                }
            } else if (sig == DESC) {
                final long dataSector = descSectors + data++;
                if (dataSector >= total) {
                    return -total;
                }
                final MemorySegment ds = load((s + dataSector) % sectors);
                final long dsSeq = ((ds.get(U32, 4) & 0xFFFFFFFFL) << 32) | (ds.get(U32, 4092) & 0xFFFFFFFFL);
                if (ds.get(U32, 0) != DATA || dsSeq != seq) {
                    return -total;
                }
            } else {
                return -total;
            }
        }
        return total;
    }

    /** Descriptors of the chosen sequence, in log order (entries were validated by entrySectors). */
    private LogOverlay collect(final long start, final long count) throws IOException {
        long[] offsets = new long[16], lengths = new long[16], logOffsets = new long[16], leading = new long[16];
        int[] trailing = new int[16];
        int n = 0;
        long s = start, lastFileOffset = 0;
        for (long e = 0; e < count; e++) {
            final MemorySegment h = load(s);
            final long total = (h.get(U32, 8) & 0xFFFFFFFFL) / SECTOR;
            final long descCount = h.get(U32, 24) & 0xFFFFFFFFL;
            final long flushed = h.get(U64, 48);
            lastFileOffset = h.get(U64, 56);
            if (flushed > file.length()) {
                throw new CorruptVhdxException(file.path(), base + s * SECTOR, "log entry's flushed file offset "
                        + flushed + " exceeds the file's " + file.length() + " bytes: the file was truncated");
            }
            final long descSectors = (descCount + 2 + 127) / 128;
            long data = 0;
            for (long i = 0; i < descCount; i++) {
                final long at = 64 + 32 * i;
                final MemorySegment d = load((s + at / SECTOR) % sectors);
                final long o = at % SECTOR;
                if (n == offsets.length) {
                    final int grown = n * 2;
                    offsets = Arrays.copyOf(offsets, grown);
                    lengths = Arrays.copyOf(lengths, grown);
                    logOffsets = Arrays.copyOf(logOffsets, grown);
                    leading = Arrays.copyOf(leading, grown);
                    trailing = Arrays.copyOf(trailing, grown);
                }
                offsets[n] = d.get(U64, o + 16);
                if (d.get(U32, o) == ZERO) {
                    lengths[n] = d.get(U64, o + 8);
                    logOffsets[n] = -1;
                } else {
                    lengths[n] = SECTOR;
                    trailing[n] = d.get(U32, o + 4);
                    leading[n] = d.get(U64, o + 8);
                    logOffsets[n] = base + ((s + descSectors + data++) % sectors) * SECTOR;
                }
                n++;
            }
            s = (s + total) % sectors;
        }
        return new LogOverlay(Arrays.copyOf(offsets, n), Arrays.copyOf(lengths, n), Arrays.copyOf(logOffsets, n),
                Arrays.copyOf(leading, n), Arrays.copyOf(trailing, n), lastFileOffset);
    }

    /** The log sector s (0-based within the log), read once and kept until another is needed. */
    private MemorySegment load(final long s) throws IOException {
        if (s != cachedSector) {
            cachedSector = -1;
            file.read(base + s * SECTOR, sector, 0, SECTOR);
            cachedSector = s;
        }
        return sector;
    }
}
