package io.cairn.engine.copy;

import io.cairn.engine.DebugPause;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.PackCatalog;
import io.cairn.format.Repository;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.BlockRecordReader;
import io.cairn.format.pack.PackWriter;
import io.cairn.format.pack.SealedPack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Copies block records verbatim from the packs of one repository into new packs of another (FORMAT.md sections 4
 * and 6): the stored bytes, codec, lengths and data CRC travel unchanged, so nothing is decompressed or
 * recompressed, and a record is copied only when the target has no record of its id (dedup against the target's
 * index). Every source record is checked (header CRC, bounds, data CRC, id) before a byte of it is written; a
 * damaged one stops the copy with a {@link CorruptRepositoryException} naming its pack and offset.
 * <p>
 * Commit protocol: records go to a pack in the target's {@code tmp/}; a pack is sealed, synced and published
 * (renamed into {@code packs/}) when it reaches the target's pack size and on {@link #flush}. Only then are its
 * records entered in the target catalog's index: until a pack is published its records live in a pending index,
 * so {@link #abort} (after a damaged source record) leaves the target index exactly as the packs on disk are.
 * A caller that writes something referring to copied blocks (a restore point) must call {@link #flush} first.
 * <p>
 * Used by {@code cairn move}; written to serve any copy of restore points between repositories (a backup copy job).
 * <p>
 * Threads: one thread. Per record it allocates nothing (reused buffer, reader, writer and channels).
 */
public final class RecordCopier implements AutoCloseable {

    private final Repository source;
    private final PackCatalog sourceCatalog;
    private final Repository target;
    private final PackCatalog targetCatalog;
    private final PackChannels sourcePacks;
    private final BlockRecordReader reader;
    private final ByteBuffer stored;
    private final PackWriter writer;
    private final long packSize;
    private final String pausePoint;
    /** Records of the open (unpublished) pack: id -> location with ordinal 0 (only presence is used). */
    private BlockIndex pending = newPending();
    private long pendingRecords;
    private long pendingBytes;
    private long recordsCopied;
    private long bytesCopied;
    private int packsPublished;

    /**
     * @param pausePoint {@link DebugPause} name passed after each pack is published (crash tests kill there)
     */
    public RecordCopier(final Repository source, final PackCatalog sourceCatalog, final Repository target,
                        final PackCatalog targetCatalog, final String pausePoint) {
        if (source.config().blockSize() != target.config().blockSize()) {
            throw new IllegalArgumentException("block sizes differ: " + source.config().blockSize() + " and "
                    + target.config().blockSize());
        }
        this.source = source;
        this.sourceCatalog = sourceCatalog;
        this.target = target;
        this.targetCatalog = targetCatalog;
        this.sourcePacks = new PackChannels(sourceCatalog);
        this.reader = new BlockRecordReader(source.config().blockSize());
        this.stored = ByteBuffer.allocateDirect(source.config().blockSize());
        this.writer = new PackWriter(target.config().repositoryIdBytes());
        this.packSize = target.config().packSize();
        this.pausePoint = pausePoint;
    }

    /** True when the target has a record of this id (published, or in the pack being written). */
    public boolean inTarget(final long idHi, final long idLo) {
        return targetCatalog.index().contains(idHi, idLo) || pending.contains(idHi, idLo);
    }

    /** True when an intact (indexed) pack of the source has a record of this id. */
    public boolean inSource(final long idHi, final long idLo) {
        return sourceCatalog.index().contains(idHi, idLo);
    }

    /**
     * Copies the record of a block id into the target unless the target already has one.
     *
     * @return true when a record was copied, false when the target had it
     * @throws CorruptRepositoryException when the source has no intact pack with the id, or its record is damaged
     *                                    (naming the pack and offset); nothing of it was written
     */
    public boolean copyIfAbsent(final long idHi, final long idLo) throws IOException {
        if (inTarget(idHi, idLo)) {
            return false;
        }
        final long location = sourceCatalog.index().get(idHi, idLo);
        if (location == BlockLocation.EMPTY) {
            throw new CorruptRepositoryException(source.dir(), -1, "block " + BlockId.toHex(idHi, idLo)
                    + " is in no intact pack of the repository (run cairn verify on it)");
        }
        final int ordinal = BlockLocation.packOrdinal(location);
        final long offset = BlockLocation.recordOffset(location);
        final Path pack = sourceCatalog.packPath(ordinal);
        final FileChannel ch = sourcePacks.channel(ordinal);
        reader.read(ch, pack, offset, stored);
        reader.requireId(pack, offset, idHi, idLo);
        if (!writer.isOpen()) {
            final byte[] packId = Ids.random128();
            writer.begin(target.packTmpPath(Hex.of(packId)), packId);
        }
        final int storedLength = reader.storedLength();
        final long newOffset = writer.append(idHi, idLo, reader.codec(), reader.rawLength(), stored,
                reader.dataCrc());
        pending.putIfAbsent(idHi, idLo, BlockLocation.pack(0, newOffset));
        pendingRecords++;
        pendingBytes += BlockRecordLayout.HEADER_LENGTH + storedLength;
        if (writer.length() >= packSize || writer.isFull()) {
            publish();
        }
        return true;
    }

    /** Seals and publishes the open pack, if any: every record copied so far is durable in the target. */
    public void flush() throws IOException {
        if (writer.isOpen()) {
            if (writer.recordCount() > 0) {
                publish();
            } else {
                writer.abort();
            }
        }
    }

    private void publish() throws IOException {
        final SealedPack sealed = writer.seal();
        final Path published = target.publishPack(sealed);
        final int ordinal = targetCatalog.addPack(published);
        final BlockIndex index = targetCatalog.index();
        pending.forEach((hi, lo, loc) -> index.putIfAbsent(hi, lo,
                BlockLocation.pack(ordinal, BlockLocation.recordOffset(loc))));
        recordsCopied += pendingRecords;
        bytesCopied += pendingBytes;
        packsPublished++;
        resetPending();
        DebugPause.at(pausePoint);
    }

    /** Discards the open pack (its tmp file and its records); published packs stay. */
    public void abort() {
        writer.abort();
        resetPending();
    }

    private void resetPending() {
        if (pendingRecords > 0 || pending.size() > 0) {
            pending.close();
            pending = newPending();
        }
        pendingRecords = 0;
        pendingBytes = 0;
    }

    private static BlockIndex newPending() {
        return new BlockIndex(PackWriter.DEFAULT_MAX_RECORDS);
    }

    /** Records copied into published packs. */
    public long recordsCopied() {
        return recordsCopied;
    }

    /** Bytes (record headers and stored bytes) copied into published packs. */
    public long bytesCopied() {
        return bytesCopied;
    }

    /** Packs this copier published in the target. */
    public int packsPublished() {
        return packsPublished;
    }

    /** Discards an unpublished pack and closes the source channels. */
    @Override
    public void close() throws IOException {
        abort();
        pending.close();
        sourcePacks.close();
    }
}
