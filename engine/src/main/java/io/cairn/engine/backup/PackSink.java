package io.cairn.engine.backup;

import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.PackCatalog;
import io.cairn.format.Repository;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackWriter;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Appends new blocks to the current pack, handing a pack that reaches the repository's pack size to the
 * {@link PackSealer} (FORMAT.md section 6 step 2) and going on with the other of its two writers, and remembers
 * each new block in the session index.
 * <p>
 * Threads: the writer thread only (the sealer has its own).
 */
final class PackSink implements AutoCloseable {
    private final Repository repo;
    private final PackCatalog catalog;
    private final BlockIndex session;
    /** Two writers: one takes appends while the sealer seals the other. */
    private final PackWriter[] writers = new PackWriter[2];
    private PackWriter writer;
    private final PackSealer sealer;
    private final long packSize;
    private int ordinal = -1;
    private long blocksNew;
    private long blocksDedupInRun;
    private long bytesNewRaw;
    private long bytesStored;

    PackSink(final Repository repo, final PackCatalog catalog, final BlockIndex session) {
        this.repo = repo;
        this.catalog = catalog;
        this.session = session;
        writers[0] = new PackWriter(repo.config().repositoryIdBytes());
        writers[1] = new PackWriter(repo.config().repositoryIdBytes());
        this.writer = writers[0];
        this.sealer = new PackSealer(repo);
        this.packSize = repo.config().packSize();
    }

    /** Stores a new block unless this run already stored it. */
    void store(final long idHi, final long idLo, final int codec, final int rawLength, final ByteBuffer stored,
               final int dataCrc) throws IOException {
        if (session.get(idHi, idLo) != BlockLocation.EMPTY) {
            blocksDedupInRun++;
            return;
        }
        if (!writer.isOpen()) {
            final byte[] packId = Ids.random128();
            final String hex = Hex.of(packId);
            writer.begin(repo.packTmpPath(hex), packId);
            ordinal = catalog.addPack(repo.packPath(hex));
        }
        final int storedLength = stored.remaining();
        final long offset = writer.append(idHi, idLo, codec, rawLength, stored, dataCrc);
        session.putIfAbsent(idHi, idLo, BlockLocation.pack(ordinal, offset));
        blocksNew++;
        bytesNewRaw += rawLength;
        bytesStored += BlockRecordLayout.HEADER_LENGTH + storedLength;
        if (writer.length() >= packSize || writer.isFull()) {
            sealer.submit(writer); // waits for the other writer's seal, so that one is free again
            writer = writer == writers[0] ? writers[1] : writers[0];
        }
    }

    /** Seals the last pack (or drops an empty one) through the sealer. All packs are durable when this returns. */
    void finish() throws IOException {
        if (writer.isOpen()) {
            if (writer.recordCount() > 0) {
                sealer.submit(writer);
            } else {
                writer.abort();
            }
        }
        sealer.awaitIdle();
    }

    void abort() {
        sealer.close();
        writers[0].abort();
        writers[1].abort();
    }

    long blocksNew() {
        return blocksNew;
    }

    long blocksDedupInRun() {
        return blocksDedupInRun;
    }

    long bytesNewRaw() {
        return bytesNewRaw;
    }

    long bytesStored() {
        return bytesStored;
    }

    int packsWritten() {
        return sealer.packsPublished();
    }

    @Override
    public void close() {
        abort();
    }
}
