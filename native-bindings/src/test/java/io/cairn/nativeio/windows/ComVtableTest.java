package io.cairn.nativeio.windows;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** COM method lookup over a fake object laid out as COM does: object -> vtable pointer -> slot n at n * 8. */
class ComVtableTest {
    @Test
    void shouldReadSlotFunctionPointerWhenObjectPointsToVtable() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment vtable = arena.allocate(ADDRESS.byteSize() * 51, 8);
            for (int slot = 0; slot <= 50; slot++) {
                vtable.set(ADDRESS, slot * 8L, MemorySegment.ofAddress(0x1000L + slot));
            }
            final MemorySegment object = arena.allocate(ADDRESS);
            object.set(ADDRESS, 0, vtable);
            assertEquals(8, ComVtable.SLOT_BYTES);
            assertEquals(0x1000L + 2, ComVtable.function(object, VssConstants.SLOT_RELEASE).address());
            assertEquals(0x1000L + 38, ComVtable.function(object, VssConstants.SLOT_DO_SNAPSHOT_SET).address());
            assertEquals(0x1000L + 42, ComVtable.function(object, VssConstants.SLOT_GET_SNAPSHOT_PROPERTIES).address());
            assertEquals(0x1000L + 50, ComVtable.function(object, 50).address());
        }
    }

    @Test
    void shouldRefuseCallWhenInterfacePointerIsNull() {
        assertThrows(IllegalStateException.class, () -> ComVtable.function(MemorySegment.NULL, 5));
    }
}
