package io.cairn.nativeio.windows;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * Finds a COM method: the object's first word points to its vtable, and slot {@code n} of the vtable is the
 * function pointer at {@code vtable + n * 8} (windows-hyperv.md section 0). The function is then called with the
 * object pointer as its first argument.
 */
final class ComVtable {
    /** Bytes per vtable slot on x64. */
    static final long SLOT_BYTES = ADDRESS.byteSize();

    private ComVtable() {
    }

    /** The function pointer in vtable slot {@code slot} of the COM object at {@code object}. */
    @SuppressWarnings("restricted")
    static MemorySegment function(final MemorySegment object, final int slot) {
        if (object.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("COM call on a NULL interface pointer (slot " + slot + ")");
        }
        if (slot < 0) {
            throw new IllegalArgumentException("negative vtable slot " + slot);
        }
        final MemorySegment vtable = object.reinterpret(SLOT_BYTES).get(ADDRESS, 0);
        return vtable.reinterpret((slot + 1) * SLOT_BYTES).get(ADDRESS, slot * SLOT_BYTES);
    }
}
