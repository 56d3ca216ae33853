package io.cairn.engine;

import io.cairn.engine.codec.BlockCompressor;
import io.cairn.engine.codec.BlockHasher;
import io.cairn.format.pack.BlockRecordLayout;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** verify --deep's record check: decompress, check the length, re-hash against the id. */
class DeepRecordCheckTest {
    private static final int BLOCK = 64 * 1024;

    @Test
    void shouldAcceptRecordWhenZstdFrameMatchesItsId() {
        try (Arena arena = Arena.ofConfined(); DeepRecordCheck check = new DeepRecordCheck(BLOCK);
             BlockCompressor c = new BlockCompressor(1)) {
            final MemorySegment raw = block(arena);
            final long[] id = id(raw, BLOCK);
            final ByteBuffer stored = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            final int n = c.compress(raw.asByteBuffer(), BLOCK, stored);
            stored.clear().limit(n);
            assertNull(check.check(stored, BlockRecordLayout.CODEC_ZSTD, BLOCK, id[0], id[1]));
        }
    }

    @Test
    void shouldAcceptRecordWhenRawBytesMatchTheirId() {
        try (Arena arena = Arena.ofConfined(); DeepRecordCheck check = new DeepRecordCheck(BLOCK)) {
            final MemorySegment raw = block(arena);
            final long[] id = id(raw, BLOCK);
            assertNull(check.check(raw.asByteBuffer(), BlockRecordLayout.CODEC_RAW, BLOCK, id[0], id[1]));
        }
    }

    @Test
    void shouldReportMismatchWhenContentDiffersFromId() {
        try (Arena arena = Arena.ofConfined(); DeepRecordCheck check = new DeepRecordCheck(BLOCK)) {
            final MemorySegment raw = block(arena);
            final long[] id = id(raw, BLOCK);
            raw.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 100, (byte) 0x7F);
            final String problem = check.check(raw.asByteBuffer(), BlockRecordLayout.CODEC_RAW, BLOCK, id[0], id[1]);
            assertTrue(problem != null && problem.contains("re-hashes"), problem);
        }
    }

    @Test
    void shouldReportBadFrameWhenRawLengthDiffers() {
        try (Arena arena = Arena.ofConfined(); DeepRecordCheck check = new DeepRecordCheck(BLOCK);
             BlockCompressor c = new BlockCompressor(1)) {
            final MemorySegment raw = block(arena);
            final long[] id = id(raw, BLOCK);
            final ByteBuffer stored = arena.allocate(BlockCompressor.bound(BLOCK)).asByteBuffer();
            final int n = c.compress(raw.asByteBuffer(), BLOCK, stored);
            stored.clear().limit(n);
            final String problem = check.check(stored, BlockRecordLayout.CODEC_ZSTD, BLOCK - 1, id[0], id[1]);
            assertTrue(problem != null && problem.contains("raw length"), problem);
        }
    }

    private static MemorySegment block(final Arena arena) {
        final MemorySegment s = arena.allocate(BLOCK, 4096);
        for (int i = 0; i < BLOCK; i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) ((i % 97) * (i / 1024 + 1)));
        }
        return s;
    }

    private static long[] id(final MemorySegment s, final int length) {
        final BlockHasher h = new BlockHasher();
        h.hash(s, length);
        return new long[]{h.hi(), h.lo()};
    }
}
