package io.cairn.nativeio.windows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structs written into native memory byte by byte the way Windows would (little-endian, at the documented offsets,
 * not through the layouts under test) and decoded by the bindings, and the reverse.
 */
class StructCodecTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private static void putLong(final MemorySegment s, final long offset, final long value) {
        s.set(JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN), offset, value);
    }

    private static void putInt(final MemorySegment s, final long offset, final int value) {
        s.set(JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN), offset, value);
    }

    private static void putWide(final MemorySegment s, final long offset, final String text) {
        final byte[] b = text.getBytes(StandardCharsets.UTF_16LE);
        MemorySegment.copy(b, 0, s, JAVA_BYTE, offset, b.length);
        s.set(JAVA_SHORT, offset + b.length, (short) 0);
    }

    /** windows-hyperv.md 0: EC984AEC-A0F9-47E9-901F-71415A66345B is EC 4A 98 EC F9 A0 E9 47 90 1F 71 41 5A 66 34 5B. */
    @Test
    void shouldWriteDocumentedBytesWhenEncodingGuid() {
        final MemorySegment s = arena.allocate(Guids.LAYOUT);
        Guids.write(VirtDiskConstants.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT, s, 0);
        assertEquals("ec4a98ecf9a0e947901f71415a66345b", HexFormat.of().formatHex(s.toArray(JAVA_BYTE)));
        assertEquals(VirtDiskConstants.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT, Guids.read(s, 0));
    }

    @Test
    void shouldRoundTripWhenGuidHasHighBitsSet() {
        final MemorySegment s = arena.allocate(40);
        final UUID id = UUID.fromString("ffeeddcc-bbaa-9988-7766-554433221100");
        Guids.write(id, s, 20);
        assertEquals(id, Guids.read(s, 20));
        assertEquals((byte) 0xcc, s.get(JAVA_BYTE, 20));
        assertEquals((byte) 0x77, s.get(JAVA_BYTE, 28));
    }

    /** windows-hyperv.md 1.3/1.4: a QUERY_CHANGES range array filled by Windows, 24 bytes a range. */
    @Test
    void shouldParseRangesWhenWindowsFilledTheArray() {
        final QueryChangesBuffer buffer = new QueryChangesBuffer(arena, 4);
        buffer.prepare();
        assertEquals(4, buffer.rangeCount().get(JAVA_INT, 0), "RangeCount in = capacity");
        final MemorySegment ranges = buffer.ranges();
        assertEquals(96, ranges.byteSize());
        putLong(ranges, 0, 0x10000L);
        putLong(ranges, 8, 0x20000L);
        putLong(ranges, 16, 0xDEADL);
        putLong(ranges, 24, 5L << 32);
        putLong(ranges, 32, 4096L);
        putInt(buffer.rangeCount(), 0, 2);
        putLong(buffer.processedLengthCell(), 0, 123_456_789_012L);
        assertEquals(2, buffer.count());
        assertEquals(0x10000L, buffer.byteOffset(0));
        assertEquals(0x20000L, buffer.byteLength(0));
        assertEquals(5L << 32, buffer.byteOffset(1));
        assertEquals(4096L, buffer.byteLength(1));
        assertEquals(123_456_789_012L, buffer.processedLength());
    }

    @Test
    void shouldRejectCountWhenWindowsReportsMoreRangesThanCapacity() {
        final QueryChangesBuffer buffer = new QueryChangesBuffer(arena, 4);
        putInt(buffer.rangeCount(), 0, 5);
        final IllegalStateException e = assertThrows(IllegalStateException.class, buffer::count);
        assertTrue(e.getMessage().contains("5 ranges in an array of 4"), e.getMessage());
        putInt(buffer.rangeCount(), 0, -1);
        assertThrows(IllegalStateException.class, buffer::count);
    }

    /** windows-hyperv.md 1.3: Enabled@8, NewerChanges@12, MostRecentId@16 (NUL-terminated, past the struct). */
    @Test
    void shouldDecodeChangeTrackingStateWhenIdRunsPastTheStruct() {
        final MemorySegment info = arena.allocate(ChangeTrackingState.BUFFER_BYTES, 8);
        final String id = "rctX:e59e6991:208a:44d9:ae6a:2f14351d792f:00000000";
        putInt(info, 0, 15);
        putInt(info, 8, 1);
        putInt(info, 12, 0);
        putWide(info, 16, id);
        final ChangeTrackingState state = ChangeTrackingState.decode(info, 16 + 2L * id.length() + 2);
        assertTrue(state.enabled());
        assertFalse(state.newerChanges());
        assertEquals(id, state.mostRecentId());
    }

    @Test
    void shouldRejectChangeTrackingIdWhenItHasNoNul() {
        final MemorySegment info = arena.allocate(ChangeTrackingState.BUFFER_BYTES, 8);
        info.fill((byte) 'A');
        putInt(info, 0, 15);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ChangeTrackingState.decode(info, info.byteSize()));
        assertTrue(e.getMessage().contains("no NUL within 257"), e.getMessage());
    }

    @Test
    void shouldRejectInfoWhenVersionIsNotTheOneAskedFor() {
        final MemorySegment info = arena.allocate(VirtDiskLayouts.GET_VIRTUAL_DISK_INFO);
        putInt(info, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> ChangeTrackingState.decode(info, 32));
    }

    /** windows-hyperv.md 1.3: Size.VirtualSize@8, PhysicalSize@16, BlockSize@24, SectorSize@28. */
    @Test
    void shouldDecodeSizeWhenWindowsFilledIt() {
        final MemorySegment info = arena.allocate(VirtDiskLayouts.GET_VIRTUAL_DISK_INFO);
        putInt(info, 0, 1);
        putLong(info, 8, 127L << 30);
        putLong(info, 16, 4L << 30);
        putInt(info, 24, 32 << 20);
        putInt(info, 28, 512);
        assertEquals(new VirtualDiskSize(127L << 30, 4L << 30, 32 << 20, 512), VirtualDiskSize.decode(info));
        putInt(info, 28, 0);
        assertThrows(IllegalArgumentException.class, () -> VirtualDiskSize.decode(info));
        putInt(info, 28, 4096);
        putLong(info, 8, 4096L * 3 + 512);
        assertThrows(IllegalArgumentException.class, () -> VirtualDiskSize.decode(info));
    }

    /** windows-hyperv.md 2.4: VSS_SNAPSHOT_PROP with pointers to wide strings, as GetSnapshotProperties fills it. */
    @Test
    void shouldDecodeSnapshotPropertiesWhenPointersAreSet() {
        final MemorySegment prop = arena.allocate(128, 8);
        final UUID snap = UUID.randomUUID();
        final UUID set = UUID.randomUUID();
        final UUID provider = UUID.randomUUID();
        Guids.write(snap, prop, 0);
        Guids.write(set, prop, 16);
        putInt(prop, 32, 1);
        prop.set(ADDRESS, 40, WideStrings.allocate(arena, "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy7"));
        prop.set(ADDRESS, 48, WideStrings.allocate(arena, "\\\\?\\Volume{0b1c2d3e-0000-0000-0000-100000000000}\\"));
        Guids.write(provider, prop, 88);
        putInt(prop, 104, 0x10);
        putLong(prop, 112, 133_000_000_000_000_000L);
        putInt(prop, 120, 12);
        final VssSnapshotProperties p = VssSnapshotProperties.decode(prop);
        assertEquals(new VssSnapshotProperties(snap, set, 1, "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy7",
            "\\\\?\\Volume{0b1c2d3e-0000-0000-0000-100000000000}\\", provider, 0x10, 133_000_000_000_000_000L, 12), p);
    }

    @Test
    void shouldRejectSnapshotPropertiesWhenDeviceObjectIsNull() {
        final MemorySegment prop = arena.allocate(128, 8);
        assertThrows(IllegalArgumentException.class, () -> VssSnapshotProperties.decode(prop));
    }

    @Test
    void shouldEncodeUtf16WithNulWhenAllocatingWideString() {
        final MemorySegment s = WideStrings.allocate(arena, "D:\\vm\\ä.vhdx");
        assertEquals(2 * 12 + 2, s.byteSize());
        assertEquals((short) 0, s.get(JAVA_SHORT, 24));
        assertEquals((byte) 0xE4, s.get(JAVA_BYTE, 12), "ä is U+00E4, low byte first");
        assertEquals("D:\\vm\\ä.vhdx", WideStrings.read(s, 0, 100));
        assertNull(WideStrings.readPointer(MemorySegment.NULL, 10));
        assertThrows(IllegalArgumentException.class, () -> WideStrings.allocate(arena, "a\0b"));
    }

    @Test
    void shouldStopAtLimitWhenWideStringIsUnterminated() {
        final MemorySegment s = arena.allocate(64);
        s.fill((byte) 0x41);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> WideStrings.read(s, 0, 1000));
        assertTrue(e.getMessage().contains("32 available"), e.getMessage());
    }
}
