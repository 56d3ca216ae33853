package io.cairn.engine.source.vhdx;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import static io.cairn.engine.source.vhdx.VhdxLayout.*;

/**
 * The block allocation table: payload block entries interleaved with sector bitmap entries (one after every
 * {@code chunkRatio} payload entries). Memory-mapped read-only, so a large table costs address space, not heap;
 * after a log replay that touched it, it is copied into the file's arena with the log applied.
 * <p>
 * Every entry is validated once at open (state allowed for this kind of disk, file offset 1 MiB-aligned, past the
 * header section and with its whole block inside the file), so reads can trust it.
 */
final class VhdxBat {
    private final MemorySegment entries;
    private final long payloadBlocks;
    private final long chunkRatio;

    private VhdxBat(final MemorySegment entries, final long payloadBlocks, final long chunkRatio) {
        this.entries = entries;
        this.payloadBlocks = payloadBlocks;
        this.chunkRatio = chunkRatio;
    }

    static VhdxBat load(final VhdxFile file, final VhdxHeaders.Regions regions, final VhdxMetadata meta)
            throws IOException {
        final long blockSize = meta.blockSize();
        final long payloadBlocks = (meta.virtualSize() + blockSize - 1) / blockSize;
        final long ratio = VhdxLayout.chunkRatio(meta.logicalSectorSize(), blockSize);
        final long count = batEntries(payloadBlocks, ratio, meta.hasParent());
        final long bytes = count * 8;
        if (bytes > regions.batLength()) {
            throw new CorruptVhdxException(file.path(), regions.batOffset(), "BAT region of " + regions.batLength()
                    + " bytes cannot hold the " + count + " entries a " + meta.virtualSize() + "-byte disk with "
                    + blockSize + "-byte blocks needs");
        }
        final MemorySegment segment;
        if (file.hasOverlay() || regions.batOffset() > file.length() - bytes) {
            segment = file.readStructure(regions.batOffset(), bytes, "BAT");
        } else {
            try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.READ)) {
                segment = ch.map(FileChannel.MapMode.READ_ONLY, regions.batOffset(), bytes, file.arena());
            }
        }
        final VhdxBat bat = new VhdxBat(segment, payloadBlocks, ratio);
        bat.validate(file, regions.batOffset(), meta);
        return bat;
    }

    private void validate(final VhdxFile file, final long batOffset, final VhdxMetadata meta) throws IOException {
        final long fileLength = file.logicalLength();
        final long blockSize = meta.blockSize();
        for (long b = 0; b < payloadBlocks; b++) {
            final long index = payloadEntryIndex(b, chunkRatio);
            final long e = entries.get(U64, index * 8);
            final int state = (int) (e & 7);
            final boolean mapped = state == PAYLOAD_FULLY_PRESENT || state == PAYLOAD_PARTIALLY_PRESENT;
            if (state == 4 || (state == PAYLOAD_PARTIALLY_PRESENT && !meta.hasParent())) {
                throw new CorruptVhdxException(file.path(), batOffset + index * 8, "payload block " + b + " has state "
                        + state + ", not allowed in a " + (meta.hasParent() ? "differencing" : "dynamic or fixed")
                        + " disk");
            }
            if (mapped) {
                checkOffset(file, batOffset + index * 8, e & BAT_OFFSET_MASK, blockSize, fileLength,
                        "payload block " + b);
            }
            if (state == PAYLOAD_PARTIALLY_PRESENT) {
                final long sbIndex = bitmapEntryIndex(b / chunkRatio, chunkRatio);
                final long sb = entries.get(U64, sbIndex * 8);
                if ((sb & 7) != SB_PRESENT) {
                    throw new CorruptVhdxException(file.path(), batOffset + sbIndex * 8, "payload block " + b
                            + " is partially present but its sector bitmap entry has state " + (sb & 7));
                }
                checkOffset(file, batOffset + sbIndex * 8, sb & BAT_OFFSET_MASK, SECTOR_BITMAP_BLOCK, fileLength,
                        "sector bitmap of chunk " + b / chunkRatio);
            }
        }
    }

    private static void checkOffset(final VhdxFile file, final long at, final long offset, final long length,
                                    final long fileLength, final String what) throws CorruptVhdxException {
        if (offset < MIB || offset > fileLength - length) {
            throw new CorruptVhdxException(file.path(), at, what + " at file offset " + offset + " of " + length
                    + " bytes lies outside the file (" + fileLength + " bytes, data starts at 1 MiB)");
        }
    }

    long payloadBlocks() {
        return payloadBlocks;
    }

    /** The BAT entry of payload block b (state in bits 0-2, file offset in the bits above 20). */
    long payload(final long block) {
        return entries.get(U64, payloadEntryIndex(block, chunkRatio) * 8);
    }

    /** The sector bitmap entry of the chunk holding payload block b. */
    long bitmapOf(final long block) {
        return entries.get(U64, bitmapEntryIndex(block / chunkRatio, chunkRatio) * 8);
    }

    long chunkRatio() {
        return chunkRatio;
    }

    /** Bytes of payload blocks held in this file (fully or partially present). */
    long allocatedBytes(final long blockSize) {
        long n = 0;
        for (long b = 0; b < payloadBlocks; b++) {
            final int state = (int) (payload(b) & 7);
            if (state == PAYLOAD_FULLY_PRESENT || state == PAYLOAD_PARTIALLY_PRESENT) {
                n += blockSize;
            }
        }
        return n;
    }
}
