package io.cairn.engine.restore;

import io.cairn.engine.codec.BlockDecompressor;
import io.cairn.engine.codec.BlockHasher;
import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.PackCatalog;
import io.cairn.format.index.BlockId;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.BlockRecordReader;
import org.agrona.concurrent.IdleStrategy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Worker stage of a restore: checks each record read by the reader (header magic and CRC, lengths, codec, that
 * its id is the block's, the CRC32C of its stored bytes), decompresses it into the slot's output region (a raw
 * record is copied there), and re-hashes the result against the block's id, so a restore never writes a block
 * that is not bit-for-bit the one backed up. Messages pass through in the order they came.
 * <p>
 * A failure names the block, its disk offset, the pack and the record offset, and stops the whole restore
 * (the writer then discards the partial file: nothing is reported as success).
 * <p>
 * Threads: its own platform thread; consumer of its input ring, producer of its output ring. Nothing here
 * allocates per block (the zstd-jni call itself aside, see HotPathAllocationTest).
 */
final class DecodeAgent implements Runnable, AutoCloseable {
    private final OneToOneBlockRing in;
    private final OneToOneBlockRing out;
    private final RestoreSlots slots;
    private final RestoreState state;
    private final IdleStrategy idle;
    private final PackCatalog catalog;
    private final BlockRecordReader records;
    private final BlockDecompressor decompressor = new BlockDecompressor();
    private final BlockHasher hasher = new BlockHasher();
    private long busyNs;

    DecodeAgent(final OneToOneBlockRing in, final OneToOneBlockRing out, final RestoreSlots slots,
                final RestoreState state, final IdleStrategy idle, final PackCatalog catalog) {
        this.in = in;
        this.out = out;
        this.slots = slots;
        this.state = state;
        this.idle = idle;
        this.catalog = catalog;
        this.records = new BlockRecordReader(slots.blockSize);
    }

    @Override
    public void run() {
        try {
            while (!state.failed()) {
                if (!in.poll()) {
                    idle.idle();
                    continue;
                }
                idle.reset();
                final int type = in.lastType();
                final int slot = in.lastSlot();
                final long blockNo = in.lastBlockNo();
                final long count = in.lastCount();
                if (type == OneToOneBlockRing.BLOCK) {
                    final long t0 = System.nanoTime();
                    decode(slot);
                    busyNs += System.nanoTime() - t0;
                }
                while (!out.offer(type, slot, blockNo, count)) {
                    if (state.failed()) {
                        return;
                    }
                    idle.idle();
                }
                if (type == OneToOneBlockRing.END) {
                    return;
                }
            }
        } catch (Throwable t) {
            state.fail(t);
        }
    }

    private void decode(final int slot) throws CorruptRepositoryException {
        final RestoreSlots s = slots;
        final int at = s.recordAt[slot];
        final int length = s.rawLength[slot];
        final long hi = s.idHi[slot];
        final long lo = s.idLo[slot];
        final long recordOffset = s.recordOffset[slot];
        final int dataAt = at + BlockRecordLayout.HEADER_LENGTH;
        try {
            final Path pack = catalog.packPath(s.packOrdinal[slot]);
            records.checkHeader(s.in[slot], at, pack, recordOffset);
            records.requireId(pack, recordOffset, hi, lo);
            if (records.rawLength() != length) {
                throw new CorruptRepositoryException(pack, recordOffset, "record raw length " + records.rawLength()
                        + " differs from the block's length " + length);
            }
            if (records.storedLength() != s.storedLength[slot]) {
                throw new CorruptRepositoryException(pack, recordOffset, "record stored length "
                        + records.storedLength() + " differs from the footer's " + s.storedLength[slot]);
            }
            records.checkData(s.inBuffer[slot], dataAt, pack, recordOffset);
            if (records.codec() == BlockRecordLayout.CODEC_ZSTD) {
                final int n = decompressor.decompress(s.inBuffer[slot], dataAt, records.storedLength(),
                        s.outBuffer[slot]);
                if (n != length) {
                    throw new CorruptRepositoryException(pack, recordOffset, "zstd frame does not decompress to "
                            + length + " bytes");
                }
            } else {
                MemorySegment.copy(s.in[slot], dataAt, s.out[slot], 0, length);
            }
            hasher.hash(s.out[slot], length);
            if (hasher.hi() != hi || hasher.lo() != lo) {
                throw new CorruptRepositoryException(pack, recordOffset, "re-hashes to "
                        + BlockId.toHex(hasher.hi(), hasher.lo()) + ", not its id " + BlockId.toHex(hi, lo));
            }
        } catch (CorruptRepositoryException e) {
            final long blockNo = s.blockNo[slot];
            throw new CorruptRepositoryException(e.path(), e.offset(), "block " + blockNo + " (disk offset "
                    + blockNo * s.blockSize + ", id " + BlockId.toHex(hi, lo) + ") is damaged: " + e.detail());
        }
    }

    long busyNs() {
        return busyNs;
    }

    @Override
    public void close() {
        decompressor.close();
    }
}
