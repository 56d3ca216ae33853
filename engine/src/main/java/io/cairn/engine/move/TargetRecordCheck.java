package io.cairn.engine.move;

import io.cairn.engine.DeepRecordCheck;
import io.cairn.engine.copy.PackChannels;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.PackCatalog;
import io.cairn.format.Repository;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.BlockRecordReader;
import io.cairn.format.point.PointReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The move's check in the target (FORMAT.md section 13): every non-zero block id of a restore point has an intact
 * record in a published pack of the target (header CRC, bounds, data CRC, id), and a record this run copied is also
 * decompressed and re-hashed (as {@code verify --deep}), since its bytes were just written. Each id is checked once
 * per run (incremental points share most of their blocks): {@link MoveJob#VERIFIED} in the run's id set marks it.
 * <p>
 * Threads: one thread; per block it allocates nothing.
 */
final class TargetRecordCheck implements AutoCloseable {
    private final Repository target;
    private final PackCatalog catalog;
    private final int firstNewOrdinal;
    private final BlockIndex runIds;
    private final PackChannels packs;
    private final BlockRecordReader reader;
    private final ByteBuffer buffer;
    private final DeepRecordCheck deep;

    /**
     * @param firstNewOrdinal packs with this ordinal or above were written by this run (their records get the deep
     *                        check)
     */
    TargetRecordCheck(final Repository target, final PackCatalog catalog, final int firstNewOrdinal,
                      final BlockIndex runIds) {
        final int blockSize = target.config().blockSize();
        this.target = target;
        this.catalog = catalog;
        this.firstNewOrdinal = firstNewOrdinal;
        this.runIds = runIds;
        this.packs = new PackChannels(catalog);
        this.reader = new BlockRecordReader(blockSize);
        this.buffer = ByteBuffer.allocateDirect(blockSize);
        this.deep = new DeepRecordCheck(blockSize);
    }

    /** Checks the records of every block of the point; throws at the first missing or damaged one. */
    void checkBlocks(final PointReader point) throws IOException {
        final long count = point.blockCount();
        for (long b = 0; b < count; b++) {
            final long hi = point.idHi(b);
            final long lo = point.idLo(b);
            if (BlockId.isZero(hi, lo) || runIds.get(hi, lo) == MoveJob.VERIFIED) {
                continue;
            }
            final long location = catalog.index().get(hi, lo);
            if (location == BlockLocation.EMPTY) {
                throw new CorruptRepositoryException(target.dir(), -1, "block " + b + " (" + BlockId.toHex(hi, lo)
                        + ") has no record in the target after copying");
            }
            final int ordinal = BlockLocation.packOrdinal(location);
            final long offset = BlockLocation.recordOffset(location);
            final Path pack = catalog.packPath(ordinal);
            final FileChannel ch = packs.channel(ordinal);
            reader.read(ch, pack, offset, buffer);
            reader.requireId(pack, offset, hi, lo);
            if (ordinal >= firstNewOrdinal) {
                final String problem = deep.check(buffer, reader.codec(), reader.rawLength(), hi, lo);
                if (problem != null) {
                    throw new CorruptRepositoryException(pack, offset, "copied record: " + problem + " ("
                            + BlockRecordLayout.codecName(reader.codec()) + ")");
                }
            }
            runIds.put(hi, lo, MoveJob.VERIFIED);
        }
    }

    @Override
    public void close() throws IOException {
        deep.close();
        packs.close();
    }
}
