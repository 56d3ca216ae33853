package io.cairn.engine.source.vhdx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

import static io.cairn.engine.source.vhdx.VhdxFixtures.MIB;
import static io.cairn.engine.source.vhdx.VhdxFixtures.assumeQemuImg;
import static io.cairn.engine.source.vhdx.VhdxFixtures.content;
import static io.cairn.engine.source.vhdx.VhdxFixtures.currentHeaderOffset;
import static io.cairn.engine.source.vhdx.VhdxFixtures.patchSealed;
import static io.cairn.engine.source.vhdx.VhdxFixtures.qemuImg;
import static io.cairn.engine.source.vhdx.VhdxFixtures.readAll;
import static io.cairn.engine.source.vhdx.VhdxFixtures.readAt;
import static io.cairn.engine.source.vhdx.VhdxFixtures.region;
import static io.cairn.engine.source.vhdx.VhdxFixtures.writeAt;
import static io.cairn.engine.source.vhdx.VhdxFixtures.writeRaw;
import static io.cairn.engine.source.vhdx.VhdxLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hand-made log entry (one data descriptor, one zero descriptor) in a qemu-img-made file: our in-memory replay
 * must give the same disk as QEMU's own replay ({@code qemu-img check -r all}), and leave the file untouched.
 */
class VhdxLogReplayTest {
    @TempDir
    Path dir;

    @Test
    void shouldMatchQemuReplayWhenLogHoldsDataAndZeroDescriptors() throws Exception {
        assumeQemuImg();
        final byte[] raw = content(16, new int[]{0, 5, 12}, -1, 31);
        final Path rawFile = writeRaw(dir.resolve("d.raw"), raw);
        final Path vhdx = dir.resolve("d.vhdx");
        qemuImg("convert", "-f", "raw", "-O", "vhdx", "-o", "block_size=1M", rawFile.toString(), vhdx.toString());
        final long bat = region(vhdx, BAT_REGION)[0];
        final long block5 = readAt(vhdx, bat + 5 * 8, 8).get(U64, 0) & BAT_OFFSET_MASK;
        final long block0 = readAt(vhdx, bat, 8).get(U64, 0) & BAT_OFFSET_MASK;
        final UUID logGuid = UUID.randomUUID();
        final long fileSize = Files.size(vhdx);
        final long seq = 0x100000005L;

        final MemorySegment entry = MemorySegment.ofArray(new byte[8192]);
        entry.set(U32, 0, 0x65676f6c); // "loge"
        entry.set(U32, 8, 8192);
        entry.set(U64, 16, seq);
        entry.set(U32, 24, 2);
        putGuid(entry, 32, logGuid);
        entry.set(U64, 48, fileSize);
        entry.set(U64, 56, fileSize);
        entry.set(U32, 64, 0x63736564); // "desc": 4 KiB of 0x5A at block 5 + 4 KiB
        entry.set(U32, 64 + 4, 0x5A5A5A5A);
        entry.set(U64, 64 + 8, 0x5A5A5A5A5A5A5A5AL);
        entry.set(U64, 64 + 16, block5 + 4096);
        entry.set(U64, 64 + 24, seq);
        entry.set(U32, 96, 0x6f72657a); // "zero": 8 KiB at block 0 + 8 KiB
        entry.set(U64, 96 + 8, 8192);
        entry.set(U64, 96 + 16, block0 + 8192);
        entry.set(U64, 96 + 24, seq);
        entry.set(U32, 4096, 0x61746164); // "data"
        entry.set(U32, 4096 + 4, (int) (seq >>> 32));
        entry.asSlice(4096 + 8, 4084).fill((byte) 0x5A);
        entry.set(U32, 4096 + 4092, (int) seq);
        seal(entry, 8192);
        writeAt(vhdx, MIB + 64 * 1024, entry.asByteBuffer()); // 16 sectors into the log: the search must find it
        patchSealed(vhdx, currentHeaderOffset(vhdx), (int) HEADER_LENGTH, h -> putGuid(h, H_LOG_GUID, logGuid));

        final byte[] before = Files.readAllBytes(vhdx);
        final byte[] ours;
        try (VhdxBlockSource s = VhdxBlockSource.open(vhdx)) {
            assertTrue(s.reader().logReplayed());
            ours = readAll(s, 1 << 20);
        }
        assertArrayEquals(before, Files.readAllBytes(vhdx), "a backup source is never written");

        final Path copy = Files.copy(vhdx, dir.resolve("q.vhdx"), StandardCopyOption.REPLACE_EXISTING);
        qemuImg("check", "-r", "all", "-f", "vhdx", copy.toString());
        final Path replayed = dir.resolve("q.raw");
        qemuImg("convert", "-f", "vhdx", "-O", "raw", copy.toString(), replayed.toString());
        final byte[] theirs = Files.readAllBytes(replayed);
        assertFalse(java.util.Arrays.equals(raw, theirs), "QEMU must have replayed the entry");
        assertEquals(0x5A, theirs[(int) (5 * MIB + 4096)]);
        assertArrayEquals(theirs, ours);
    }
}
