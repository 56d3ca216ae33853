package io.cairn.nativeio.windows;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.UUID;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Windows {@code GUID} / {@code VSS_ID} values as {@link UUID}s (windows-hyperv.md section 0).
 *
 * <pre>
 * off size field
 *   0    4 Data1  little-endian
 *   4    2 Data2  little-endian
 *   6    2 Data3  little-endian
 *   8    8 Data4  bytes in text order
 * </pre>
 * So {@code EC984AEC-A0F9-47E9-901F-71415A66345B} is stored as {@code EC 4A 98 EC F9 A0 E9 47 90 1F 71 41 5A 66 34 5B}.
 * Size 16, alignment 4.
 */
public final class Guids {
    /** {@code GUID}: size 16, align 4. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
        JAVA_INT.withName("Data1"),
        JAVA_SHORT.withName("Data2"),
        JAVA_SHORT.withName("Data3"),
        MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("Data4")).withName("GUID");

    /** {@code GUID_NULL}, e.g. the default provider for {@code AddToSnapshotSet}. */
    public static final UUID NULL = new UUID(0, 0);

    private static final ValueLayout.OfInt LE_INT =
        ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Guids() {
    }

    /** Writes the GUID in Windows memory order at {@code offset}. */
    public static void write(final UUID guid, final MemorySegment segment, final long offset) {
        final long msb = guid.getMostSignificantBits();
        segment.set(LE_INT, offset, (int) (msb >>> 32));
        segment.set(LE_SHORT, offset + 4, (short) (msb >>> 16));
        segment.set(LE_SHORT, offset + 6, (short) msb);
        segment.set(BE_LONG, offset + 8, guid.getLeastSignificantBits());
    }

    /** Reads a GUID stored in Windows memory order at {@code offset}. */
    public static UUID read(final MemorySegment segment, final long offset) {
        final long data1 = segment.get(LE_INT, offset) & 0xFFFF_FFFFL;
        final long data2 = segment.get(LE_SHORT, offset + 4) & 0xFFFFL;
        final long data3 = segment.get(LE_SHORT, offset + 6) & 0xFFFFL;
        return new UUID(data1 << 32 | data2 << 16 | data3, segment.get(BE_LONG, offset + 8));
    }
}
