package io.cairn.engine.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zstd between direct buffers: round trips, incompressible blocks, damaged frames. */
class BlockCompressorTest {
    private static final int BLOCK = 64 * 1024;

    @ParameterizedTest(name = "level {0}")
    @ValueSource(ints = {-1, 1, 3, 19})
    void shouldRestoreExactBytesWhenRoundTripping(final int level) {
        try (Arena arena = Arena.ofConfined(); BlockCompressor c = new BlockCompressor(level);
             BlockDecompressor d = new BlockDecompressor()) {
            final MemorySegment raw = compressible(arena, BLOCK);
            final ByteBuffer out = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            final int stored = c.compress(raw.asByteBuffer(), BLOCK, out);
            assertTrue(stored > 0 && stored < BLOCK / 2, "stored " + stored);
            final MemorySegment back = arena.allocate(BLOCK);
            assertEquals(BLOCK, d.decompress(out, stored, back.asByteBuffer()));
            assertEquals(-1, back.mismatch(raw));
        }
    }

    @Test
    void shouldCompressOnlyTheRawLengthWhenBufferIsLonger() {
        try (Arena arena = Arena.ofConfined(); BlockCompressor c = new BlockCompressor(1);
             BlockDecompressor d = new BlockDecompressor()) {
            final int length = 12_345; // a partial last block
            final MemorySegment raw = compressible(arena, BLOCK);
            final ByteBuffer out = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            final int stored = c.compress(raw.asByteBuffer(), length, out);
            assertTrue(stored > 0 && stored < length);
            final MemorySegment back = arena.allocate(BLOCK);
            assertEquals(length, d.decompress(out, stored, back.asByteBuffer()));
            assertEquals(-1, back.asSlice(0, length).mismatch(raw.asSlice(0, length)));
        }
    }

    @Test
    void shouldReturnMinusOneWhenDataIsIncompressible() {
        try (Arena arena = Arena.ofConfined(); BlockCompressor c = new BlockCompressor(1)) {
            final MemorySegment raw = arena.allocate(BLOCK);
            final byte[] random = new byte[BLOCK];
            new SplittableRandom(42).nextBytes(random);
            raw.copyFrom(MemorySegment.ofArray(random));
            final ByteBuffer out = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            assertEquals(-1, c.compress(raw.asByteBuffer(), BLOCK, out));
        }
    }

    @Test
    void shouldReuseContextWhenCompressingManyBlocks() {
        try (Arena arena = Arena.ofConfined(); BlockCompressor c = new BlockCompressor(1);
             BlockDecompressor d = new BlockDecompressor()) {
            final ByteBuffer out = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            final MemorySegment back = arena.allocate(BLOCK);
            for (int i = 0; i < 20; i++) {
                final MemorySegment raw = compressible(arena, BLOCK - i * 1000);
                final int length = (int) raw.byteSize();
                final int stored = c.compress(raw.asByteBuffer(), length, out);
                assertEquals(length, d.decompress(out, stored, back.asByteBuffer()), "block " + i);
                assertEquals(-1, back.asSlice(0, length).mismatch(raw), "block " + i);
            }
        }
    }

    @Test
    void shouldReturnMinusOneWhenFrameIsDamaged() {
        try (Arena arena = Arena.ofConfined(); BlockCompressor c = new BlockCompressor(1);
             BlockDecompressor d = new BlockDecompressor()) {
            final MemorySegment raw = compressible(arena, BLOCK);
            final ByteBuffer out = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            final int stored = c.compress(raw.asByteBuffer(), BLOCK, out);
            out.put(0, (byte) (out.get(0) ^ 0x55)); // breaks the frame magic
            assertEquals(-1, d.decompress(out, stored, arena.allocate(BLOCK).asByteBuffer()));
        }
    }

    @Test
    void shouldReturnMinusOneWhenFrameIsTruncated() {
        try (Arena arena = Arena.ofConfined(); BlockCompressor c = new BlockCompressor(1);
             BlockDecompressor d = new BlockDecompressor()) {
            final MemorySegment raw = compressible(arena, BLOCK);
            final ByteBuffer out = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            final int stored = c.compress(raw.asByteBuffer(), BLOCK, out);
            assertEquals(-1, d.decompress(out, stored / 2, arena.allocate(BLOCK).asByteBuffer()));
        }
    }

    @Test
    void shouldReturnMinusOneWhenOutputDoesNotFit() {
        try (Arena arena = Arena.ofConfined(); BlockCompressor c = new BlockCompressor(1);
             BlockDecompressor d = new BlockDecompressor()) {
            final MemorySegment raw = compressible(arena, BLOCK);
            final ByteBuffer out = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            final int stored = c.compress(raw.asByteBuffer(), BLOCK, out);
            assertEquals(-1, d.decompress(out, stored, arena.allocate(BLOCK / 2).asByteBuffer()));
        }
    }

    @Test
    void shouldBoundAtLeastTheRawLengthWhenAskedForWorstCase() {
        assertTrue(BlockCompressor.bound(BLOCK) >= BLOCK);
        assertTrue(BlockCompressor.bound(8 << 20) >= 8 << 20);
    }

    /** bound() is computed in Java so that sizing slots does not load the native library: it must stay zstd's. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 4096, 65536, 131071, 131072, 131073, 1 << 20, (1 << 20) + 1, 8 << 20, 64 << 20})
    void shouldMatchZstdsOwnCompressBound(final int rawLength) {
        assertEquals(com.github.luben.zstd.Zstd.compressBound(rawLength), BlockCompressor.bound(rawLength));
    }

    /** Text with a counter in it: compresses well but not to nothing. */
    static MemorySegment compressible(final Arena arena, final int length) {
        final StringBuilder sb = new StringBuilder(length + 64);
        for (int i = 0; sb.length() < length; i++) {
            sb.append("block record ").append(i).append(" of a virtual disk, ").append(i * 7919 % 1000).append('\n');
        }
        final byte[] bytes = sb.substring(0, length).getBytes(StandardCharsets.US_ASCII);
        final MemorySegment s = arena.allocate(length, 4096);
        s.copyFrom(MemorySegment.ofArray(bytes));
        return s;
    }
}
