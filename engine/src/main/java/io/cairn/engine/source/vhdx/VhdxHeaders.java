package io.cairn.engine.source.vhdx;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.UUID;

import static io.cairn.engine.source.vhdx.VhdxLayout.*;

/**
 * Parses the header section of a VHDX file (first 1 MiB): file identifier, the two headers (the valid one with the
 * higher sequence number is current) and the region table (copy 1, or copy 2 when 1 is damaged).
 */
final class VhdxHeaders {
    /** The current header. */
    record Header(int copy, long sequence, UUID fileWriteGuid, UUID dataWriteGuid, UUID logGuid, long logOffset,
                  long logLength) {
        boolean hasLog() {
            return logGuid.getMostSignificantBits() != 0 || logGuid.getLeastSignificantBits() != 0;
        }
    }

    /** Where the BAT and the metadata region lie. */
    record Regions(long batOffset, long batLength, long metadataOffset, long metadataLength) {
    }

    private VhdxHeaders() {
    }

    static void checkIdentifier(final VhdxFile file) throws IOException {
        if (file.length() < 1024 * 1024) {
            throw new CorruptVhdxException(file.path(), 0, "file of " + file.length()
                    + " bytes is shorter than the 1 MiB VHDX header section");
        }
        final MemorySegment id = file.readStructure(0, 8, "file identifier");
        if (id.get(U64, 0) != FILE_SIGNATURE) {
            throw new CorruptVhdxException(file.path(), 0, "file type identifier is not \"vhdxfile\"");
        }
    }

    static Header currentHeader(final VhdxFile file) throws IOException {
        final MemorySegment h1 = file.readStructure(HEADER1_OFFSET, HEADER_LENGTH, "header 1");
        final MemorySegment h2 = file.readStructure(HEADER2_OFFSET, HEADER_LENGTH, "header 2");
        final String bad1 = invalidReason(h1);
        final String bad2 = invalidReason(h2);
        if (bad1 != null && bad2 != null) {
            throw new CorruptVhdxException(file.path(), HEADER1_OFFSET, "both headers are invalid (header 1: " + bad1
                    + "; header 2 at " + HEADER2_OFFSET + ": " + bad2 + ")");
        }
        final MemorySegment current;
        final int copy;
        if (bad1 != null || bad2 != null) {
            copy = bad1 == null ? 1 : 2;
            current = bad1 == null ? h1 : h2;
        } else {
            final long s1 = h1.get(U64, H_SEQUENCE);
            final long s2 = h2.get(U64, H_SEQUENCE);
            if (s1 == s2 && h1.mismatch(h2) >= 0) {
                throw new CorruptVhdxException(file.path(), HEADER1_OFFSET,
                        "both headers are valid with sequence number " + Long.toUnsignedString(s1)
                                + " but differ in content");
            }
            copy = Long.compareUnsigned(s2, s1) > 0 ? 2 : 1;
            current = copy == 1 ? h1 : h2;
        }
        final long headerOffset = copy == 1 ? HEADER1_OFFSET : HEADER2_OFFSET;
        final long logLength = current.get(U32, H_LOG_LENGTH) & 0xFFFFFFFFL;
        final long logOffset = current.get(U64, H_LOG_OFFSET);
        final Header h = new Header(copy, current.get(U64, H_SEQUENCE), guid(current, H_FILE_WRITE_GUID),
                guid(current, H_DATA_WRITE_GUID), guid(current, H_LOG_GUID), logOffset, logLength);
        if (h.hasLog()) {
            if (current.get(U16, H_LOG_VERSION) != 0) {
                throw new CorruptVhdxException(file.path(), headerOffset + H_LOG_VERSION, "log version "
                        + current.get(U16, H_LOG_VERSION) + " is not supported (only 0)");
            }
            if (logLength == 0 || logLength % MIB != 0 || logOffset < MIB || logOffset % MIB != 0
                    || logOffset > file.length() - logLength) {
                throw new CorruptVhdxException(file.path(), headerOffset + H_LOG_LENGTH, "log at offset " + logOffset
                        + " of " + logLength + " bytes is not 1 MiB-aligned inside the " + file.length()
                        + "-byte file");
            }
        }
        return h;
    }

    private static String invalidReason(final MemorySegment h) {
        if (h.get(U32, 0) != HEADER_SIGNATURE) {
            return "signature is not \"head\"";
        }
        final int stored = h.get(U32, H_CHECKSUM);
        final int actual = checksum(h, HEADER_LENGTH);
        if (stored != actual) {
            return String.format("CRC-32C mismatch: stored=0x%08x computed=0x%08x", stored, actual);
        }
        if (h.get(U16, H_VERSION) != 1) {
            return "version " + h.get(U16, H_VERSION) + " is not 1";
        }
        return null;
    }

    static Regions regions(final VhdxFile file) throws IOException {
        final MemorySegment t1 = file.readStructure(REGION1_OFFSET, REGION_LENGTH, "region table 1");
        final String bad1 = invalidRegionTable(t1);
        if (bad1 == null) {
            return parseRegions(file, t1, REGION1_OFFSET);
        }
        final MemorySegment t2 = file.readStructure(REGION2_OFFSET, REGION_LENGTH, "region table 2");
        final String bad2 = invalidRegionTable(t2);
        if (bad2 == null) {
            return parseRegions(file, t2, REGION2_OFFSET);
        }
        throw new CorruptVhdxException(file.path(), REGION1_OFFSET, "both region tables are invalid (table 1: " + bad1
                + "; table 2 at " + REGION2_OFFSET + ": " + bad2 + ")");
    }

    private static String invalidRegionTable(final MemorySegment t) {
        if (t.get(U32, 0) != REGION_SIGNATURE) {
            return "signature is not \"regi\"";
        }
        final int stored = t.get(U32, 4);
        final int actual = checksum(t, REGION_LENGTH);
        if (stored != actual) {
            return String.format("CRC-32C mismatch: stored=0x%08x computed=0x%08x", stored, actual);
        }
        final long count = t.get(U32, R_COUNT) & 0xFFFFFFFFL;
        if (count > MAX_TABLE_ENTRIES) {
            return "entry count " + count + " exceeds " + MAX_TABLE_ENTRIES;
        }
        return null;
    }

    private static Regions parseRegions(final VhdxFile file, final MemorySegment t, final long tableOffset)
            throws IOException {
        final int count = t.get(U32, R_COUNT);
        long bat = -1, batLength = 0, meta = -1, metaLength = 0;
        for (int i = 0; i < count; i++) {
            final long e = R_ENTRIES + i * R_ENTRY_LENGTH;
            final UUID id = guid(t, e);
            final long offset = t.get(U64, e + 16);
            final long length = t.get(U32, e + 24) & 0xFFFFFFFFL;
            final boolean required = (t.get(U32, e + 28) & 1) != 0;
            final boolean isBat = id.equals(BAT_REGION);
            final boolean isMeta = id.equals(METADATA_REGION);
            if (!isBat && !isMeta) {
                if (required) {
                    throw new CorruptVhdxException(file.path(), tableOffset + e, "unknown required region " + id);
                }
                continue;
            }
            if (offset < MIB || offset % MIB != 0 || length == 0 || length % MIB != 0
                    || offset > file.logicalLength() - length) {
                throw new CorruptVhdxException(file.path(), tableOffset + e, (isBat ? "BAT" : "metadata")
                        + " region at offset " + offset + " of " + length + " bytes is not 1 MiB-aligned inside the "
                        + file.logicalLength() + "-byte file");
            }
            if ((isBat && bat >= 0) || (isMeta && meta >= 0)) {
                throw new CorruptVhdxException(file.path(), tableOffset + e, "region " + id + " listed twice");
            }
            if (isBat) {
                bat = offset;
                batLength = length;
            } else {
                meta = offset;
                metaLength = length;
            }
        }
        if (bat < 0 || meta < 0) {
            throw new CorruptVhdxException(file.path(), tableOffset, "region table lacks the "
                    + (bat < 0 ? "BAT" : "metadata") + " region");
        }
        if (bat < meta + metaLength && meta < bat + batLength) {
            throw new CorruptVhdxException(file.path(), tableOffset, "BAT and metadata regions overlap");
        }
        return new Regions(bat, batLength, meta, metaLength);
    }
}
