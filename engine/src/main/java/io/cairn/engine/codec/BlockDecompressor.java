package io.cairn.engine.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

import java.nio.ByteBuffer;

/**
 * zstd decompression of one record between direct buffers. Threads: one instance per thread.
 */
public final class BlockDecompressor implements AutoCloseable {
    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();

    /**
     * Decompresses src[0, storedLength) into dst from 0.
     *
     * @return the decompressed length, or -1 when the frame is damaged or does not fit dst
     */
    public int decompress(final ByteBuffer src, final int storedLength, final ByteBuffer dst) {
        return decompress(src, 0, storedLength, dst);
    }

    /**
     * Decompresses src[srcOffset, srcOffset + storedLength) into dst from 0.
     *
     * @return the decompressed length, or -1 when the frame is damaged or does not fit dst
     */
    public int decompress(final ByteBuffer src, final int srcOffset, final int storedLength, final ByteBuffer dst) {
        src.clear();
        dst.clear();
        try {
            return ctx.decompressDirectByteBuffer(dst, 0, dst.capacity(), src, srcOffset, storedLength);
        } catch (ZstdException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        ctx.close();
    }
}
