package io.cairn.engine.source;

import io.cairn.engine.DiskImage;
import io.cairn.nativeio.AlignedBuffers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link BlockSource} must do (house style section 8: one contract suite, run against every
 * implementation and every kind of backing store). A subclass says how to present a {@link DiskImage} as a source
 * and whether the source can see holes; the tests here compare what the source reads and reports with the image.
 * <p>
 * The default disk: 20 blocks of 64 KiB with data, zero and hole blocks mixed, ending in two zero blocks.
 */
public abstract class BlockSourceContract {
    protected static final int BLOCK = 64 * 1024;

    @TempDir
    protected Path dir;
    protected DiskImage disk;
    protected BlockSource source;
    private Arena arena;

    /** Presents the disk as the source under test (skip with an assumption when the platform cannot). */
    protected abstract BlockSource open(DiskImage disk, Path dir) throws Exception;

    /** True when nextData/nextHole report the image's holes exactly (at 4 KiB granularity). */
    protected abstract boolean reportsHoles();

    /** Called after the source is closed (and after a failed or skipped open): detach devices and the like. */
    protected void release() throws Exception {
    }

    /** The disk to present; subclasses override it for odd sizes. */
    protected DiskImage disk() {
        final DiskImage d = new DiskImage(20L * BLOCK, BLOCK);
        d.unique(0, 1).unique(2, 2).unique(3, 3).fill(8, (byte) 0xFF).random(9, 4).unique(12, 5).unique(16, 6);
        d.unique(17, 7);
        // block 5 is zero except one byte in its third 4 KiB chunk: a 4 KiB data extent inside zeros
        d.bytes()[5 * BLOCK + 2 * DiskImage.CHUNK + 100] = 42;
        return d; // 1, 4, 6, 7, 10, 11, 13-15, 18, 19 are zero
    }

    @BeforeEach
    final void openSource() throws Exception {
        arena = Arena.ofShared();
        disk = disk();
        source = open(disk, dir);
    }

    @AfterEach
    final void closeSource() throws Exception {
        try {
            if (source != null) {
                source.close();
            }
        } finally {
            arena.close();
            release();
        }
    }

    @Test
    void shouldReportSizeOfDiskWhenOpened() {
        assertEquals(disk.size(), source.size());
    }

    @Test
    void shouldDescribeAndIdentifyWhenOpened() {
        assertFalse(source.describe().isBlank());
        assertTrue(source.identity().contains("size=" + disk.size()), source.identity());
    }

    @Test
    void shouldReadEveryBlockExactlyWhenReadBlockByBlock() throws Exception {
        final MemorySegment buffer = AlignedBuffers.allocate(arena, BLOCK);
        for (long b = 0; b < disk.blockCount(); b++) {
            final long start = b * BLOCK;
            final int length = (int) Math.min(BLOCK, disk.size() - start);
            buffer.fill((byte) 0xAA);
            source.read(buffer, start, length);
            assertArrayEquals(expected(start, length), buffer.asSlice(0, length).toArray(
                    java.lang.foreign.ValueLayout.JAVA_BYTE), "block " + b);
        }
    }

    @Test
    void shouldReadBlocksWhenReadInReverseOrder() throws Exception {
        final MemorySegment buffer = AlignedBuffers.allocate(arena, BLOCK);
        for (long b = disk.blockCount() - 1; b >= 0; b--) {
            final long start = b * BLOCK;
            final int length = (int) Math.min(BLOCK, disk.size() - start);
            source.read(buffer, start, length);
            assertEquals(-1, buffer.asSlice(0, length).mismatch(MemorySegment.ofArray(expected(start, length))),
                    "block " + b);
        }
    }

    @Test
    void shouldReadZerosPastTheEndWhenLastBlockRunsPastIt() throws Exception {
        final MemorySegment buffer = AlignedBuffers.allocate(arena, BLOCK);
        buffer.fill((byte) 0xAA);
        final long start = (disk.blockCount() - 1) * BLOCK;
        final int inside = (int) (disk.size() - start);
        source.read(buffer, start, BLOCK);
        assertEquals(-1, buffer.asSlice(0, inside).mismatch(MemorySegment.ofArray(expected(start, inside))));
        final MemorySegment past = buffer.asSlice(inside);
        assertEquals(-1, past.mismatch(arena.allocate(past.byteSize())), "bytes past the end must read as zeros");
    }

    @Test
    void shouldReadZerosWhenWholeReadIsPastTheEnd() throws Exception {
        final MemorySegment buffer = AlignedBuffers.allocate(arena, BLOCK);
        buffer.fill((byte) 0xAA);
        source.read(buffer, disk.blockCount() * BLOCK, BLOCK);
        assertEquals(-1, buffer.mismatch(arena.allocate(BLOCK)));
    }

    @Test
    void shouldReadOnAnotherThreadWhenOpenedOnThisOne() throws Exception {
        final MemorySegment buffer = AlignedBuffers.allocate(arena, BLOCK);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread reader = Thread.ofPlatform().start(() -> {
            try {
                source.read(buffer, 2L * BLOCK, BLOCK);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.join();
        assertNull(failure.get());
        assertEquals(-1, buffer.mismatch(MemorySegment.ofArray(expected(2L * BLOCK, BLOCK))));
    }

    @Test
    void shouldReportOnlyZerosAsHolesWhenWalkingExtents() throws Exception {
        final List<long[]> extents = walkExtents();
        long previousEnd = 0;
        for (long[] e : extents) {
            assertTrue(e[0] >= previousEnd && e[1] > e[0] && e[1] <= disk.size(),
                    "extents must be ordered, non-empty and inside the disk: " + describe(extents));
            assertZero(previousEnd, e[0]);
            previousEnd = e[1];
        }
        assertZero(previousEnd, disk.size());
    }

    @Test
    void shouldReportExtentsOfTheDiskWhenAskedForDataAndHoles() throws Exception {
        final List<long[]> expected = reportsHoles() ? disk.dataExtents()
                : disk.size() == 0 ? List.of() : List.of(new long[]{0, disk.size()});
        assertEquals(describe(expected), describe(walkExtents()));
    }

    @Test
    void shouldReturnOffsetOrLaterWhenAskedForNextData() throws Exception {
        for (long offset = 0; offset < disk.size(); offset += DiskImage.CHUNK) {
            final long data = source.nextData(offset);
            assertTrue(data == -1 || (data >= offset && data < disk.size()), "nextData(" + offset + ") = " + data);
            if (!reportsHoles()) {
                assertEquals(offset, data, "a source that cannot tell holes says everything is data");
            }
            if (data >= 0) {
                final long hole = source.nextHole(data);
                assertTrue(hole > data && hole <= disk.size(), "nextHole(" + data + ") = " + hole);
            }
        }
    }

    /** Data extents as the source reports them, from nextData/nextHole. */
    protected final List<long[]> walkExtents() throws Exception {
        final List<long[]> out = new ArrayList<>();
        long offset = 0;
        while (offset < disk.size()) {
            final long data = source.nextData(offset);
            if (data < 0) {
                break;
            }
            final long hole = source.nextHole(data);
            assertTrue(hole > data, "nextHole(" + data + ") = " + hole + " must pass the data offset");
            out.add(new long[]{data, hole});
            offset = hole;
        }
        return out;
    }

    protected final byte[] expected(final long start, final int length) {
        final byte[] out = new byte[length];
        System.arraycopy(disk.bytes(), (int) start, out, 0, length);
        return out;
    }

    private void assertZero(final long from, final long to) {
        for (long i = from; i < to; i++) {
            if (disk.bytes()[(int) i] != 0) {
                throw new AssertionError("byte " + i + " is data (" + disk.bytes()[(int) i]
                        + ") but lies in a reported hole [" + from + ", " + to + ")");
            }
        }
    }

    protected static String describe(final List<long[]> extents) {
        final StringBuilder sb = new StringBuilder();
        for (long[] e : extents) {
            sb.append('[').append(e[0]).append(", ").append(e[1]).append(") ");
        }
        return sb.toString().strip();
    }
}
