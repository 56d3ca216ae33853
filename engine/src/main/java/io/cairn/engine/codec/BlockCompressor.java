package io.cairn.engine.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;

import java.nio.ByteBuffer;

/**
 * zstd compression of one block between direct buffers (no copy, no allocation). A block that does not
 * shrink is reported as incompressible and stored raw by the caller (FORMAT.md 4.2).
 * <p>
 * Threads: one instance per thread (it owns a zstd context).
 */
public final class BlockCompressor implements AutoCloseable {
    private final ZstdCompressCtx ctx;

    public BlockCompressor(final int level) {
        this.ctx = new ZstdCompressCtx();
        ctx.setLevel(level);
        ctx.setChecksum(false);
        ctx.setContentSize(true);
    }

    /** Worst-case compressed size of a block of rawLength bytes. */
    public static int bound(final int rawLength) {
        return (int) Zstd.compressBound(rawLength);
    }

    /**
     * Compresses src[0, rawLength) into dst from 0.
     *
     * @return the compressed length, or -1 when it would not be smaller than rawLength
     */
    public int compress(final ByteBuffer src, final int rawLength, final ByteBuffer dst) {
        src.clear();
        dst.clear();
        final int n = ctx.compressDirectByteBuffer(dst, 0, dst.capacity(), src, 0, rawLength);
        return n >= rawLength ? -1 : n;
    }

    @Override
    public void close() {
        ctx.close();
    }
}
