package io.cairn.nativeio;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Sparse files: holes, SEEK_DATA/SEEK_HOLE, fallocate and hole punching. Needs a disk file system (4 KiB blocks). */
class LinuxFileSpaceTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void requireDiskFileSystem() throws IOException {
        final String type = TestSystem.fileSystemType(dir);
        assumeTrue(type.equals("ext4") || type.equals("xfs") || type.equals("btrfs"),
            "hole offsets below assume a disk file system with 4 KiB blocks; temp dir is on " + type);
    }

    @Test
    void shouldFindTheOnlyDataBlockWhenFileIsSparse() throws IOException {
        final Path file = dir.resolve("sparse");
        try (Arena arena = Arena.ofConfined(); LinuxFile f = LinuxFile.openWrite(file, true, true)) {
            f.truncate(8 * MIB);
            final MemorySegment block = LinuxFileReadWriteTest.pattern(arena, 4096);
            f.writeFully(block, 4096, 3 * MIB);
            f.fsync();

            assertEquals(8 * MIB, f.size());
            assertEquals(3 * MIB, f.seekData(0));
            assertEquals(0, f.seekHole(0));
            assertEquals(3 * MIB, f.seekData(3 * MIB));
            assertEquals(3 * MIB + 4096, f.seekHole(3 * MIB));
            assertEquals(-1, f.seekData(3 * MIB + 4096), "no data after the last block");
            assertEquals(-1, f.seekData(100 * MIB), "offset past the end");
        }
    }

    @Test
    void shouldReportFileSizeAsHoleWhenDataRunsToTheEnd() throws IOException {
        final Path file = dir.resolve("dense");
        try (Arena arena = Arena.ofConfined(); LinuxFile f = LinuxFile.openWrite(file, true, true)) {
            final MemorySegment data = LinuxFileReadWriteTest.pattern(arena, 64 * 1024);
            f.writeFully(data, data.byteSize(), 0);
            assertEquals(64 * 1024, f.seekHole(0));
            assertEquals(-1, f.seekHole(64 * 1024), "offset at the end");
        }
    }

    @Test
    void shouldReadZerosAndKeepSizeWhenHoleIsPunched() throws IOException {
        final Path file = dir.resolve("punched");
        try (Arena arena = Arena.ofConfined(); LinuxFile f = LinuxFile.openWrite(file, true, true)) {
            final MemorySegment data = LinuxFileReadWriteTest.pattern(arena, 3 * 4096);
            f.writeFully(data, data.byteSize(), 0);
            f.punchHole(4096, 4096);

            assertEquals(3 * 4096, f.size());
            assertEquals(4096, f.seekHole(0));
            assertEquals(2 * 4096, f.seekData(4096));
            final MemorySegment back = arena.allocate(3 * 4096);
            assertEquals(3 * 4096, f.readFully(back, back.byteSize(), 0));
            assertEquals(-1, back.asSlice(0, 4096).mismatch(data.asSlice(0, 4096)));
            assertEquals(-1, back.asSlice(4096, 4096).mismatch(arena.allocate(4096)), "punched block reads zeros");
            assertEquals(data.get(JAVA_BYTE, 2 * 4096), back.get(JAVA_BYTE, 2 * 4096));
        }
    }

    @Test
    void shouldAllocateWithoutGrowingWhenKeepSizeIsGiven() throws IOException {
        final Path file = dir.resolve("fallocated");
        try (LinuxFile f = LinuxFile.openWrite(file, true, true)) {
            f.fallocate(0, 0, MIB);
            assertEquals(MIB, f.size());
            f.fallocate(1 /* FALLOC_FL_KEEP_SIZE */, MIB, MIB);
            assertEquals(MIB, f.size());
        }
    }
}
