package io.cairn.engine;

import io.cairn.engine.codec.BlockDecompressor;
import io.cairn.engine.codec.BlockHasher;
import io.cairn.format.index.BlockId;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.verify.RepositoryVerifier;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** {@code verify --deep}: decompresses a record and checks its length and XXH3-128 id. One thread. */
public final class DeepRecordCheck implements RepositoryVerifier.DeepCheck, AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment raw;
    private final ByteBuffer rawBuffer;
    private final BlockDecompressor decompressor = new BlockDecompressor();
    private final BlockHasher hasher = new BlockHasher();

    public DeepRecordCheck(final int blockSize) {
        raw = arena.allocate(blockSize, 4096);
        rawBuffer = raw.asByteBuffer();
    }

    @Override
    public String check(final ByteBuffer stored, final int codec, final int rawLength, final long idHi,
                        final long idLo) {
        final MemorySegment data;
        if (codec == BlockRecordLayout.CODEC_ZSTD) {
            final int n = decompressor.decompress(stored, stored.limit(), rawBuffer);
            if (n != rawLength) {
                return "zstd frame does not decompress to its raw length " + rawLength;
            }
            data = raw;
        } else {
            data = MemorySegment.ofBuffer(stored);
        }
        hasher.hash(data, rawLength);
        if (hasher.hi() != idHi || hasher.lo() != idLo) {
            return "content re-hashes to " + BlockId.toHex(hasher.hi(), hasher.lo()) + ", not its id";
        }
        return null;
    }

    @Override
    public void close() {
        decompressor.close();
        arena.close();
    }
}
