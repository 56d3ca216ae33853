package io.cairn.engine.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.util.Native;

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

    /**
     * Worst-case compressed size of a block of rawLength bytes: zstd.h's ZSTD_COMPRESSBOUND, computed here so that
     * sizing buffers does not load the native library (BlockCompressorTest checks it against Zstd.compressBound).
     */
    public static int bound(final int rawLength) {
        final int small = 128 << 10;
        return rawLength + (rawLength >>> 8) + (rawLength < small ? (small - rawLength) >>> 11 : 0);
    }

    /**
     * Loads zstd's native library on a background thread. zstd-jni extracts and links it on first use, which
     * took 0.3-0.55 s of a cold-cache backup's start on the 2-core build machine; started early, it overlaps the
     * repository and catalog loading instead of delaying the first read. A failure here is ignored: the first
     * real use loads again and reports it.
     */
    public static void preloadInBackground() {
        Thread.ofPlatform().name("cairn-zstd-preload").daemon().start(() -> {
            try {
                Native.load();
            } catch (RuntimeException | LinkageError ignored) {
                // reported by the first compressor made
            }
        });
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
