package io.cairn.nativeio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BlockDeviceTest {
    private static final long SIZE = 8L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldReportDeviceSizeWhenFileIsALoopDevice() throws Exception {
        assumeTrue(TestSystem.isRoot() && TestSystem.hasCommand("losetup"), "loop devices need root and losetup(8)");
        final Path backing = dir.resolve("backing.img");
        try (Arena arena = Arena.ofConfined(); LinuxFile f = LinuxFile.openWrite(backing, true, true)) {
            f.truncate(SIZE);
            final MemorySegment block = LinuxFileReadWriteTest.pattern(arena, 4096);
            f.writeFully(block, 4096, SIZE - 4096);
            assertFalse(f.isBlockDevice());
        }
        final String device = TestSystem.run("losetup", "--find", "--show", backing.toString());
        try (Arena arena = Arena.ofConfined(); LinuxFile dev = LinuxFile.openRead(Path.of(device), true)) {
            assertTrue(dev.isBlockDevice(), device);
            assertEquals(SIZE, dev.size());
            assertEquals(SIZE, Files.size(backing));
            assertTrue(dev.isDirect());
            final MemorySegment last = AlignedBuffers.allocate(arena, 4096);
            assertEquals(4096, dev.readFully(last, 4096, SIZE - 4096));
            assertEquals(-1, last.mismatch(LinuxFileReadWriteTest.pattern(arena, 4096)));
        } finally {
            TestSystem.run("losetup", "-d", device);
        }
    }
}
