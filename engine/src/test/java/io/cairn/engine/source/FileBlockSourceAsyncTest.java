package io.cairn.engine.source;

import io.cairn.nativeio.AlignedBuffers;
import io.cairn.nativeio.IoUring;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link FileBlockSource#asyncReader}: io_uring reads end exactly as {@link FileBlockSource#read} ends. */
class FileBlockSourceAsyncTest {
    private static final int BLOCK = 64 * 1024;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.available(), "io_uring is not usable here: " + IoUring.unavailableReason());
    }

    @Test
    void shouldMatchSynchronousReadsWhenEightAreInFlight() throws IOException {
        final byte[] content = randomBytes(40 * BLOCK + 12_345, 1);
        final Path image = Files.write(dir.resolve("d.img"), content);
        final int blocks = 41;
        try (FileBlockSource source = FileBlockSource.open(image); Arena arena = Arena.ofConfined()) {
            final BlockSource.AsyncReader reader = source.asyncReader(8).orElseThrow();
            final MemorySegment[] buffers = new MemorySegment[blocks];
            for (int b = 0; b < blocks; b++) {
                buffers[b] = AlignedBuffers.allocate(arena, BLOCK);
                buffers[b].fill((byte) 0x5a); // garbage, so a read that did not happen shows
            }
            final boolean[] done = new boolean[blocks];
            int submitted = 0;
            int completed = 0;
            while (completed < blocks) {
                while (submitted < blocks && reader.inFlight() < reader.depth()) {
                    final int length = (int) Math.min(BLOCK, content.length - (long) submitted * BLOCK);
                    assertTrue(reader.submit(buffers[submitted], (long) submitted * BLOCK, length, submitted));
                    submitted++;
                }
                assertTrue(reader.inFlight() <= 8);
                completed += reader.complete(1, tag -> {
                    assertFalse(done[tag], "tag " + tag + " reported twice");
                    done[tag] = true;
                });
            }
            reader.close();
            final MemorySegment expected = MemorySegment.ofArray(content);
            for (int b = 0; b < blocks; b++) {
                final int length = (int) Math.min(BLOCK, content.length - (long) b * BLOCK);
                assertEquals(-1, buffers[b].asSlice(0, length).mismatch(expected.asSlice((long) b * BLOCK, length)),
                    "block " + b);
            }
        }
    }

    @Test
    void shouldRefuseMoreThanDepthReadsWhenQueueIsFull() throws IOException {
        final Path image = Files.write(dir.resolve("d.img"), randomBytes(8 * BLOCK, 2));
        try (FileBlockSource source = FileBlockSource.open(image); Arena arena = Arena.ofConfined();
             BlockSource.AsyncReader reader = source.asyncReader(2).orElseThrow()) {
            final MemorySegment buffer = AlignedBuffers.allocate(arena, 3L * BLOCK);
            assertTrue(reader.submit(buffer.asSlice(0, BLOCK), 0, BLOCK, 0));
            assertTrue(reader.submit(buffer.asSlice(BLOCK, BLOCK), BLOCK, BLOCK, 1));
            assertFalse(reader.submit(buffer.asSlice(2L * BLOCK, BLOCK), 2L * BLOCK, BLOCK, 2));
            assertEquals(2, reader.complete(2, tag -> { }));
            assertTrue(reader.submit(buffer.asSlice(2L * BLOCK, BLOCK), 2L * BLOCK, BLOCK, 2));
        }
    }

    @Test
    void shouldReportShrunkSourceWhenAsyncReadEndsBeforeTheOpenedSize() throws IOException {
        final Path image = Files.write(dir.resolve("d.img"), randomBytes(8 * BLOCK, 3));
        try (FileBlockSource source = FileBlockSource.open(image); Arena arena = Arena.ofConfined();
             BlockSource.AsyncReader reader = source.asyncReader(4).orElseThrow()) {
            try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
                raf.setLength(5L * BLOCK + 100);
            }
            final MemorySegment buffer = AlignedBuffers.allocate(arena, BLOCK);
            assertTrue(reader.submit(buffer, 5L * BLOCK, BLOCK, 0));
            final IOException e = assertThrows(IOException.class, () -> reader.complete(1, tag -> { }));
            assertTrue(e.getMessage().contains("shrank") && e.getMessage().contains(image.toString()),
                e.getMessage());
            assertEquals(0, reader.inFlight(), "a failed read is no longer in flight");
        }
    }

    private static byte[] randomBytes(final int length, final long seed) {
        final byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }
}
