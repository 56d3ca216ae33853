package io.cairn.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic block contents for benchmarks, written once into off-heap memory during {@code @Setup}.
 * The same seed always gives the same bytes, so runs on different days compare like with like.
 */
public enum BlockContent {
    /**
     * A compressible mix that stands in for a used file system, chosen page by page (4 KiB) from the seed:
     * 30% zero pages (free space, sparse tails), 25% text (log and config lines from a small vocabulary),
     * 20% fixed-size binary records with small counters and zero padding (inode tables, database pages) and
     * 25% random bytes (media, archives, binaries that are already compressed). zstd level 1 shrinks it to
     * about half; see {@code ZstdBenchmark}'s setup output for the exact ratio.
     */
    FILESYSTEM {
        @Override
        void fill(final MemorySegment block, final long length, final SplittableRandom random) {
            for (long page = 0; page < length; page += PAGE_BYTES) {
                final long pageLength = Math.min(PAGE_BYTES, length - page);
                final int kind = random.nextInt(100);
                if (kind < 30) {
                    block.asSlice(page, pageLength).fill((byte) 0);
                } else if (kind < 55) {
                    fillText(block, page, pageLength, random);
                } else if (kind < 75) {
                    fillRecords(block, page, pageLength, random);
                } else {
                    fillRandom(block, page, pageLength, random);
                }
            }
        }
    },
    /** Uniformly random bytes: incompressible, the worst case for zstd and the typical one for hashing. */
    RANDOM {
        @Override
        void fill(final MemorySegment block, final long length, final SplittableRandom random) {
            fillRandom(block, 0, length, random);
        }
    };

    private static final long PAGE_BYTES = 4096;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final byte[][] WORDS = words(
            "the", "block", "error", "INFO", "WARN", "DEBUG", "request", "completed", "in", "ms", "user", "root",
            "/var/lib", "/usr/share", "config", "value", "true", "false", "null", "id", "=", ":", "{", "}", "0",
            "1", "2023-11-04T10:15:30Z", "GET", "POST", "/api/v1/items", "200", "404", "session", "opened",
            "closed", "for", "systemd", "kernel:", "eth0", "link", "up", "#include", "<stdio.h>", "return",
            "static", "int", "void", "struct", "const", "char");

    /**
     * Fills {@code block[0, length)} with this content, the same bytes for the same seed.
     *
     * @param block  a native segment of at least {@code length} bytes
     * @param length bytes to fill
     * @param seed   selects the bytes
     */
    public void fill(final MemorySegment block, final long length, final long seed) {
        fill(block, length, new SplittableRandom(seed));
    }

    abstract void fill(MemorySegment block, long length, SplittableRandom random);

    private static void fillRandom(final MemorySegment block, final long from, final long length,
                                   final SplittableRandom random) {
        final long end = from + length;
        long offset = from;
        for (; offset + 8 <= end; offset += 8) {
            block.set(U64, offset, random.nextLong());
        }
        for (; offset < end; offset++) {
            block.set(ValueLayout.JAVA_BYTE, offset, (byte) random.nextInt());
        }
    }

    private static void fillText(final MemorySegment block, final long from, final long length,
                                 final SplittableRandom random) {
        final long end = from + length;
        long offset = from;
        int wordsOnLine = 0;
        while (offset < end) {
            final byte[] word = WORDS[random.nextInt(WORDS.length)];
            for (int i = 0; i < word.length && offset < end; i++) {
                block.set(ValueLayout.JAVA_BYTE, offset++, word[i]);
            }
            if (offset < end) {
                final boolean newLine = ++wordsOnLine > 6 + random.nextInt(8);
                block.set(ValueLayout.JAVA_BYTE, offset++, (byte) (newLine ? '\n' : ' '));
                if (newLine) {
                    wordsOnLine = 0;
                }
            }
        }
    }

    /** 128-byte records: id, size, two timestamps, mode and link count, then zero padding. */
    private static void fillRecords(final MemorySegment block, final long from, final long length,
                                    final SplittableRandom random) {
        block.asSlice(from, length).fill((byte) 0);
        long id = random.nextInt(1 << 20);
        final long time = 1_700_000_000L + random.nextInt(1 << 24);
        for (long offset = from; offset + 128 <= from + length; offset += 128) {
            block.set(U64, offset, id++);
            block.set(U64, offset + 8, random.nextInt(1 << 16));
            block.set(U64, offset + 16, time + random.nextInt(3600));
            block.set(U64, offset + 24, time);
            block.set(U32, offset + 32, random.nextBoolean() ? 0100644 : 040755);
            block.set(U32, offset + 36, 1 + random.nextInt(3));
        }
    }

    private static byte[][] words(final String... words) {
        final byte[][] bytes = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            bytes[i] = words[i].getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }
}
