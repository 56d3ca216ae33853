package io.cairn.engine.compact;

import io.cairn.engine.DebugPause;
import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackWriter;
import io.cairn.format.pack.SealedPack;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes the records compact keeps into new packs of the repository's pack size, verbatim (the stored bytes and
 * their CRC as read, no recompression), sealing and publishing each pack as it fills (FORMAT.md section 6 step 2;
 * section 10 step 2). A new pack that a crash leaves unpublished is a tmp/ leftover; a published one holds copies of
 * blocks that are also in the old packs (duplicates, never damage) until the next compact.
 * <p>
 * Crash tests pause at {@code compact-before-pack-seal} and {@code compact-before-pack-publish} (once per new
 * pack, so {@code NAME#K} picks the K-th).
 * <p>
 * Threads: one thread.
 */
final class PackRewriter implements AutoCloseable {
    private final Repository repo;
    private final PackWriter writer;
    private final long packSize;
    private int packsWritten;
    private long packBytesWritten;
    private long recordsCopied;
    private long recordBytesCopied;

    PackRewriter(final Repository repo) {
        this.repo = repo;
        this.writer = new PackWriter(repo.config().repositoryIdBytes());
        this.packSize = repo.config().packSize();
    }

    /** Appends one checked record; {@code stored} supplies its stored bytes [position, limit). */
    void copy(final long idHi, final long idLo, final int codec, final int rawLength, final ByteBuffer stored,
              final int dataCrc) throws IOException {
        if (!writer.isOpen()) {
            final byte[] packId = Ids.random128();
            writer.begin(repo.packTmpPath(Hex.of(packId)), packId);
        }
        final int storedLength = stored.remaining();
        writer.append(idHi, idLo, codec, rawLength, stored, dataCrc);
        recordsCopied++;
        recordBytesCopied += BlockRecordLayout.HEADER_LENGTH + storedLength;
        if (writer.length() >= packSize || writer.isFull()) {
            sealAndPublish();
        }
    }

    private void sealAndPublish() throws IOException {
        DebugPause.at("compact-before-pack-seal");
        final SealedPack sealed = writer.seal();
        DebugPause.at("compact-before-pack-publish");
        repo.publishPack(sealed);
        packsWritten++;
        packBytesWritten += sealed.length();
    }

    /** Seals and publishes the last pack; when this returns, every copied record is durable under packs/. */
    void finish() throws IOException {
        if (writer.isOpen()) {
            if (writer.recordCount() > 0) {
                sealAndPublish();
            } else {
                writer.abort();
            }
        }
    }

    int packsWritten() {
        return packsWritten;
    }

    long packBytesWritten() {
        return packBytesWritten;
    }

    long recordsCopied() {
        return recordsCopied;
    }

    long recordBytesCopied() {
        return recordBytesCopied;
    }

    @Override
    public void close() {
        writer.abort();
    }
}
