package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.ChangeTrackingState;
import io.cairn.nativeio.windows.WindowsCallException;
import io.cairn.nativeio.windows.WindowsErrors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Paging over QueryChangesVirtualDisk, validation of what it returns, and reads, against a fake virtual disk. */
class RctBlockSourceTest {
    private static final int KIB = 1024;
    private static final String PATH = "D:\\vm\\disk_A1B2.avhdx";
    private static final String BASE = "rctX:e59e6991:208a:44d9:ae6a:2f14351d792f:00000001";
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private static FakeVirtualDisk disk(final int sizeBytes) {
        final byte[] bytes = new byte[sizeBytes];
        new Random(7).nextBytes(bytes);
        return new FakeVirtualDisk(bytes, 512);
    }

    private static List<String> extents(final RctBlockSource source) throws IOException {
        final List<String> out = new ArrayList<>();
        long offset = 0;
        while (true) {
            final long data = source.changeTracking().nextChanged(offset);
            if (data < 0) {
                return out;
            }
            final long hole = source.changeTracking().changedEnd(data);
            assertTrue(hole > data, "nextHole(" + data + ") = " + hole);
            out.add("[" + data + "," + hole + ")");
            offset = hole;
        }
    }

    @Test
    void shouldJoinRangeWhenItContinuesOnTheNextPage() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.script(100 * KIB, new long[]{64 * KIB, 36 * KIB});
        fake.script(924 * KIB, new long[]{100 * KIB, 100 * KIB}, new long[]{512 * KIB, 4 * KIB});
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, BASE, 4)) {
            assertEquals(List.of("[65536,204800)", "[524288,528384)"), extents(source));
            assertEquals(List.of(0L, 100L * KIB), fake.queries.stream().map(q -> q[0]).toList(),
                "the second page starts where the first one's processed length ended");
            assertEquals(1024L * KIB - 100 * KIB, fake.queries.get(1)[1]);
        }
    }

    @Test
    void shouldReportNoDataWhenNothingChanged() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, BASE, 4)) {
            assertEquals(-1, source.changeTracking().nextChanged(0));
            assertEquals(List.of(), extents(source));
            assertEquals(1, fake.queries.size());
        }
    }

    @Test
    void shouldFailClearlyWhenProcessedLengthDoesNotAdvance() {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.script(0, new long[]{0, 4 * KIB});
        final IOException e = assertThrows(IOException.class, () -> RctBlockSource.open(fake, PATH, BASE, 4));
        assertTrue(e.getMessage().contains("made no progress (processed length 0 with 1 ranges)"), e.getMessage());
        assertEquals(1, fake.queries.size(), "asked once, not again and again");
        assertTrue(fake.closed);
    }

    @Test
    void shouldFailClearlyWhenALaterPageStopsAdvancing() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.script(8 * KIB, new long[]{0, 8 * KIB});
        fake.script(0);
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, BASE, 1)) {
            final IOException e = assertThrows(IOException.class, () -> source.changeTracking().changedEnd(0));
            assertTrue(e.getMessage().contains("offset=8192") && e.getMessage().contains("made no progress"),
                e.getMessage());
            assertEquals(2, fake.queries.size());
        }
    }

    @Test
    void shouldRejectRangeWhenItRunsPastTheDiskSize() {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.script(1024 * KIB, new long[]{1020 * KIB, 8 * KIB});
        final IOException e = assertThrows(IOException.class, () -> RctBlockSource.open(fake, PATH, BASE, 4));
        assertTrue(e.getMessage().contains("beyond the disk size 1048576"), e.getMessage());
        assertTrue(e.getMessage().contains(PATH), e.getMessage());
    }

    @Test
    void shouldRejectRangeWhenOffsetPlusLengthOverflows() {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.script(1024 * KIB, new long[]{4096, Long.MAX_VALUE});
        assertThrows(IOException.class, () -> RctBlockSource.open(fake, PATH, BASE, 4));
        final FakeVirtualDisk negative = disk(1024 * KIB);
        negative.script(1024 * KIB, new long[]{-4096, 8192});
        assertThrows(IOException.class, () -> RctBlockSource.open(negative, PATH, BASE, 4));
    }

    @Test
    void shouldRejectProcessedLengthWhenItPassesTheQueriedSpan() {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.script(2048 * KIB);
        final IOException e = assertThrows(IOException.class, () -> RctBlockSource.open(fake, PATH, BASE, 4));
        assertTrue(e.getMessage().contains("beyond the queried range"), e.getMessage());
    }

    @Test
    void shouldRejectRangesWhenOutOfOrder() {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.script(1024 * KIB, new long[]{64 * KIB, 4 * KIB}, new long[]{0, 4 * KIB});
        final IOException e = assertThrows(IOException.class, () -> RctBlockSource.open(fake, PATH, BASE, 4));
        assertTrue(e.getMessage().contains("out of order"), e.getMessage());
    }

    @Test
    void shouldMergeWhenRangesOverlapOrAreEmpty() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.script(1024 * KIB, new long[]{0, 8 * KIB}, new long[]{4 * KIB, 8 * KIB}, new long[]{12 * KIB, 0},
            new long[]{12 * KIB, 4 * KIB}, new long[]{32 * KIB, 4 * KIB});
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, BASE, 8)) {
            assertEquals(List.of("[0,16384)", "[32768,36864)"), extents(source));
        }
    }

    @Test
    void shouldWalkEveryRangeWhenThousandsOfRangesSpanManyPages() throws Exception {
        final FakeVirtualDisk fake = disk(8 * 1024 * KIB);
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            final long start = i * 8L * KIB;
            fake.changed(start, 4 * KIB);
            expected.add("[" + start + "," + (start + 4 * KIB) + ")");
        }
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, BASE, 7)) {
            assertEquals(expected, extents(source));
            assertEquals((1000 + 6) / 7, source.changeQueries());
        }
    }

    @Test
    void shouldQueryFromOffsetWhenAskedBehindTheCurrentPage() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.changed(0, 4 * KIB).changed(512 * KIB, 4 * KIB).changed(900 * KIB, 4 * KIB);
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, BASE, 1)) {
            assertEquals(900 * KIB, source.changeTracking().nextChanged(600 * KIB));
            assertEquals(512 * KIB, source.changeTracking().nextChanged(100 * KIB));
            assertEquals(100L * KIB, fake.queries.get(fake.queries.size() - 1)[0]);
        }
    }

    @Test
    void shouldReportBaseLostWhenDiskDoesNotKnowTheId() {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.queryFailure = new WindowsCallException("QueryChangesVirtualDisk", PATH,
            WindowsErrors.ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION);
        final ChangeTrackingBaseLostException e = assertThrows(ChangeTrackingBaseLostException.class,
            () -> RctBlockSource.open(fake, PATH, BASE, 4));
        assertEquals(BASE, e.changeTrackingId());
        assertTrue(e.getMessage().contains("ERROR_VHD_MISSING_CHANGE_TRACKING_INFORMATION (0xC03A0030)"),
            e.getMessage());
        assertTrue(fake.closed);
    }

    @Test
    void shouldPassOtherErrorsOnWhenQueryFails() {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.queryFailure = new WindowsCallException("QueryChangesVirtualDisk", PATH, WindowsErrors.ERROR_INVALID_HANDLE);
        final IOException e = assertThrows(IOException.class, () -> RctBlockSource.open(fake, PATH, BASE, 4));
        assertInstanceOf(WindowsCallException.class, e);
    }

    @Test
    void shouldReportBaseLostWhenTrackingIsDisabled() {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.state = new ChangeTrackingState(false, false, "");
        final ChangeTrackingBaseLostException e = assertThrows(ChangeTrackingBaseLostException.class,
            () -> RctBlockSource.open(fake, PATH, BASE, 4));
        assertTrue(e.getMessage().contains("not enabled"), e.getMessage());
        assertTrue(fake.queries.isEmpty());
    }

    @Test
    void shouldReportWholeDiskWithoutQueryingWhenThereIsNoBase() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, null, 4)) {
            assertFalse(source.isIncremental());
            assertNull(source.changeTracking());
            assertEquals(0, source.nextData(0));
            assertEquals(1024 * KIB, source.nextHole(0));
            assertTrue(fake.queries.isEmpty());
            assertEquals(fake.state.mostRecentId(), source.changeTrackingId());
            assertTrue(source.identity().contains("base=full"), source.identity());
        }
    }

    @Test
    void shouldZeroTailWhenReadRunsPastTheEnd() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB - 512);
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, null, 4)) {
            final MemorySegment dst = arena.allocate(64 * KIB, 4096);
            dst.fill((byte) 0x55);
            final long offset = 960L * KIB;
            source.read(dst, offset, 64 * KIB);
            final int inside = 64 * KIB - 512;
            assertEquals(-1, dst.asSlice(0, inside).mismatch(
                MemorySegment.ofArray(fake.bytes).asSlice(offset, inside)));
            assertEquals(-1, dst.asSlice(inside).mismatch(arena.allocate(512)));
            assertEquals(inside, fake.reads.get(0)[1], "reads a sector multiple, never past the end");
        }
    }

    @Test
    void shouldRejectReadWhenOffsetIsNotSectorAligned() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, null, 4)) {
            final MemorySegment dst = arena.allocate(4096, 4096);
            assertThrows(IllegalArgumentException.class, () -> source.read(dst, 100, 4096));
            assertThrows(IllegalArgumentException.class,
                () -> source.read(MemorySegment.ofArray(new byte[4096]), 0, 4096));
        }
    }

    @Test
    void shouldFailWhenDiskReadsShort() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.shortReadBy = 100;
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, null, 4)) {
            final MemorySegment dst = arena.allocate(8192, 4096);
            final IOException e = assertThrows(IOException.class, () -> source.read(dst, 0, 8192));
            assertTrue(e.getMessage().contains("returned 8092 bytes of 8192"), e.getMessage());
        }
    }

    @Test
    void shouldRejectDiskWhenSectorSizeIsImplausible() {
        final FakeVirtualDisk fake = new FakeVirtualDisk(new byte[8192], 8192);
        final IOException e = assertThrows(IOException.class, () -> RctBlockSource.open(fake, PATH, null, 4));
        assertTrue(e.getMessage().contains("sector size 8192"), e.getMessage());
        assertTrue(fake.closed);
    }

    @Test
    void shouldReadChangedBytesWhenWalkingExtents() throws Exception {
        final FakeVirtualDisk fake = disk(1024 * KIB);
        fake.changed(128 * KIB, 8 * KIB);
        try (RctBlockSource source = RctBlockSource.open(fake, PATH, BASE, 4)) {
            final long data = source.changeTracking().nextChanged(0);
            final int length = (int) (source.changeTracking().changedEnd(data) - data);
            final MemorySegment dst = arena.allocate(length, 4096);
            source.read(dst, data, length);
            assertEquals(-1, dst.mismatch(MemorySegment.ofArray(fake.bytes).asSlice(data, length)));
            assertEquals(fake.bytes[(int) data], dst.get(JAVA_BYTE, 0));
        }
    }
}
