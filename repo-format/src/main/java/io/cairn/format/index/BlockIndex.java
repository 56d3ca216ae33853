package io.cairn.format.index;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ConcurrentModificationException;

/**
 * Dedup index: an off-heap open-addressing hash table from block id ({@link BlockId}: {@code idHi}, {@code idLo}) to
 * {@link BlockLocation} (a non-zero {@code long}).
 *
 * <pre>
 * slot i at offset i * 24, native byte order, in one MemorySegment of capacity * 24 bytes:
 * +----------------+----------------+----------------+
 * | idHi (8)       | idLo (8)       | location (8)   |   location == 0 (EMPTY): the slot is free
 * +----------------+----------------+----------------+
 * </pre>
 *
 * <p><b>Probing.</b> Robin Hood linear probing. An id's home slot is {@code unsignedMultiplyHigh(hash, capacity)}, so
 * the capacity need not be a power of two. The invariant, checked by {@code checkInvariants()}: walking forward,
 * an entry's probe distance (slots past its home) grows by at most one per slot, and only an entry in its home slot
 * may follow a free slot. So a lookup stops at the first free slot or the first entry closer to its home than the
 * lookup has come: misses are about as cheap as hits. An insert goes where the lookup stopped and shifts the run up
 * to the next free slot one slot forward, which keeps the invariant.
 *
 * <p><b>Hash.</b> Ids are already uniform digests, but both halves are mixed in ({@code hash(idHi, idLo)}) so that
 * ids differing in only one half (fixtures, truncated digests) still spread over the table.
 *
 * <p><b>Memory.</b> One segment from its own {@link Arena#ofShared() shared arena}; no heap object per entry. A new
 * index is presized so that {@code expectedEntries} fill at most 75% (at least 1024 slots). When an
 * insert would take the size past 85% of the capacity, the table is rehashed into a new one of 1.5x the capacity and
 * the old arena is closed. So a grown table is 57%-85% full, 28.2-42.4 bytes per entry, and a presized one stays
 * near 32; during a rehash both tables exist (about 2.5x the old one). {@link #get}, {@link #contains},
 * {@link #putIfAbsent}, {@link #put} and {@link #forEach} allocate nothing, except an insert that triggers growth.
 *
 * <p><b>Threads.</b> Single writer: {@link #put}, {@link #putIfAbsent} and {@link #close} on one thread at a time.
 * Any number of threads may call the read methods ({@link #get}, {@link #contains}, {@link #forEach}, {@link #size},
 * {@link #capacity}, {@link #memoryBytes}) concurrently, but only while nobody writes: the fields are plain, so the
 * writer must publish the finished index to readers through a happens-before edge (thread start, a concurrent queue,
 * a volatile write), and must not write or close it again until every reader is done. The engine uses it that way: a
 * base index is frozen during a backup and read by many threads; a session index has one writer thread.
 *
 * <p>Entries are never removed one by one; pruning builds a new index.
 */
public final class BlockIndex implements AutoCloseable {
    /** Bytes per slot: idHi, idLo, location. */
    public static final int SLOT_BYTES = 24;

    static final long ID_HI_OFFSET = 0;
    static final long ID_LO_OFFSET = 8;
    static final long LOCATION_OFFSET = 16;
    static final long MIN_CAPACITY = 1024;
    /** Keeps capacity * SLOT_BYTES and capacity * 1.5 far from overflow. */
    static final long MAX_CAPACITY = Long.MAX_VALUE / SLOT_BYTES / 2;
    static final long MAX_EXPECTED_ENTRIES = MAX_CAPACITY / 4 * 3;
    static final double MAX_LOAD_FACTOR = 0.85;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;
    private static final long SEGMENT_ALIGNMENT_BYTES = 64;

    private Arena arena;
    private MemorySegment slots; // null once closed
    private long capacity;
    private long size;
    private long resizeThreshold;
    /** Counts inserts and rehashes (not replacements), so forEach can detect a visitor that inserts. */
    private int modCount;

    /**
     * Creates an empty index sized so that {@code expectedEntries} fill at most 75% of it.
     *
     * @param expectedEntries number of entries expected; 0 is fine (the minimum capacity is 1024).
     * @throws IllegalArgumentException when {@code expectedEntries} is negative or absurdly large.
     */
    public BlockIndex(final long expectedEntries) {
        if (expectedEntries < 0 || expectedEntries > MAX_EXPECTED_ENTRIES) {
            throw new IllegalArgumentException("expectedEntries out of range: actual=" + expectedEntries
                    + " expected=0.." + MAX_EXPECTED_ENTRIES);
        }
        final long capacity = Math.max(MIN_CAPACITY, Math.ceilDiv(expectedEntries * 4, 3));
        final Arena arena = Arena.ofShared();
        this.slots = allocateSlots(arena, capacity);
        this.arena = arena;
        this.capacity = capacity;
        this.resizeThreshold = resizeThreshold(capacity);
    }

    /**
     * Looks up an id.
     *
     * @param idHi high half of the block id.
     * @param idLo low half of the block id.
     * @return its location, or {@link BlockLocation#EMPTY} when absent.
     * @throws IllegalStateException when closed.
     */
    public long get(final long idHi, final long idLo) {
        final MemorySegment slots = openSlots();
        final long index = probe(slots, capacity, idHi, idLo);
        return index >= 0 ? slots.get(U64, index * SLOT_BYTES + LOCATION_OFFSET) : BlockLocation.EMPTY;
    }

    /**
     * Tells whether an id is present.
     *
     * @param idHi high half of the block id.
     * @param idLo low half of the block id.
     * @return true when present.
     * @throws IllegalStateException when closed.
     */
    public boolean contains(final long idHi, final long idLo) {
        return probe(openSlots(), capacity, idHi, idLo) >= 0;
    }

    /**
     * Inserts an id unless it is present; a present id keeps its location.
     *
     * @param idHi     high half of the block id.
     * @param idLo     low half of the block id.
     * @param location where the block is, not {@link BlockLocation#EMPTY}.
     * @return true if inserted, false if the id was already present.
     * @throws IllegalArgumentException when {@code location} is {@link BlockLocation#EMPTY}.
     * @throws IllegalStateException    when closed.
     */
    public boolean putIfAbsent(final long idHi, final long idLo, final long location) {
        requireLocation(location);
        final MemorySegment slots = openSlots();
        final long index = probe(slots, capacity, idHi, idLo);
        if (index >= 0) {
            return false;
        }
        insertAbsent(~index, idHi, idLo, location);
        return true;
    }

    /**
     * Inserts an id or replaces its location, e.g. when compaction moves a block.
     *
     * @param idHi     high half of the block id.
     * @param idLo     low half of the block id.
     * @param location where the block is, not {@link BlockLocation#EMPTY}.
     * @return the previous location, or {@link BlockLocation#EMPTY} if the id was absent.
     * @throws IllegalArgumentException when {@code location} is {@link BlockLocation#EMPTY}.
     * @throws IllegalStateException    when closed.
     */
    public long put(final long idHi, final long idLo, final long location) {
        requireLocation(location);
        final MemorySegment slots = openSlots();
        final long index = probe(slots, capacity, idHi, idLo);
        if (index >= 0) {
            final long locationOffset = index * SLOT_BYTES + LOCATION_OFFSET;
            final long previous = slots.get(U64, locationOffset);
            slots.set(U64, locationOffset, location);
            return previous;
        }
        insertAbsent(~index, idHi, idLo, location);
        return BlockLocation.EMPTY;
    }

    /**
     * Visits every entry once, in unspecified order, allocating nothing per entry. The visitor may replace the
     * location of a present id with {@link #put}, but must not insert.
     *
     * @param visitor called once per entry.
     * @throws ConcurrentModificationException when the visitor inserts.
     * @throws IllegalStateException           when closed.
     */
    public void forEach(final EntryVisitor visitor) {
        final MemorySegment slots = openSlots();
        final long capacity = this.capacity;
        final int expectedModCount = modCount;
        for (long offset = 0, end = capacity * SLOT_BYTES; offset < end; offset += SLOT_BYTES) {
            final long location = slots.get(U64, offset + LOCATION_OFFSET);
            if (location != BlockLocation.EMPTY) {
                visitor.accept(slots.get(U64, offset + ID_HI_OFFSET), slots.get(U64, offset + ID_LO_OFFSET), location);
                if (modCount != expectedModCount) {
                    throw new ConcurrentModificationException("BlockIndex visitor inserted an entry");
                }
            }
        }
    }

    /** {@return the number of entries} Throws {@link IllegalStateException} when closed. */
    public long size() {
        openSlots();
        return size;
    }

    /** {@return the number of slots} Throws {@link IllegalStateException} when closed. */
    public long capacity() {
        openSlots();
        return capacity;
    }

    /** {@return the off-heap bytes held, {@code capacity() * SLOT_BYTES}} Throws IllegalStateException when closed. */
    public long memoryBytes() {
        openSlots();
        return capacity * SLOT_BYTES;
    }

    /** Frees the memory. Idempotent; every other method throws {@link IllegalStateException} afterwards. */
    @Override
    public void close() {
        final Arena arena = this.arena;
        if (arena != null) {
            this.arena = null;
            this.slots = null;
            arena.close();
        }
    }

    /** Receives the entries of {@link #forEach}. */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * Called once per entry.
         *
         * @param idHi     high half of the block id.
         * @param idLo     low half of the block id.
         * @param location its location, never {@link BlockLocation#EMPTY}.
         */
        void accept(long idHi, long idLo, long location);
    }

    /** Mixes both halves: ids that differ in only one half still get unrelated high bits, which pick the slot. */
    static long hash(final long idHi, final long idLo) {
        final long h = idLo ^ (idHi * 0x9E37_79B9_7F4A_7C15L);
        return (h ^ (h >>> 32)) * 0xD6E8_FEB8_6659_FD93L;
    }

    static long homeIndex(final long hash, final long capacity) {
        return Math.unsignedMultiplyHigh(hash, capacity);
    }

    /**
     * Returns the slot index holding the id, or {@code ~index} of the slot where it belongs when absent (that slot is
     * free or holds an entry closer to its home).
     */
    private static long probe(final MemorySegment slots, final long capacity, final long idHi, final long idLo) {
        long index = homeIndex(hash(idHi, idLo), capacity);
        for (long distance = 0; ; distance++) {
            final long offset = index * SLOT_BYTES;
            if (slots.get(U64, offset + LOCATION_OFFSET) == BlockLocation.EMPTY) {
                return ~index;
            }
            final long residentHi = slots.get(U64, offset + ID_HI_OFFSET);
            final long residentLo = slots.get(U64, offset + ID_LO_OFFSET);
            if (residentHi == idHi && residentLo == idLo) {
                return index;
            }
            if (probeDistance(index, residentHi, residentLo, capacity) < distance) {
                return ~index;
            }
            if (++index == capacity) {
                index = 0;
            }
        }
    }

    private static long probeDistance(final long index, final long idHi, final long idLo, final long capacity) {
        final long home = homeIndex(hash(idHi, idLo), capacity);
        return index >= home ? index - home : index + capacity - home;
    }

    private void insertAbsent(final long index, final long idHi, final long idLo, final long location) {
        if (size >= resizeThreshold) {
            grow();
            insertAt(slots, capacity, ~probe(slots, capacity, idHi, idLo), idHi, idLo, location);
        } else {
            insertAt(slots, capacity, index, idHi, idLo, location);
        }
        size++;
        modCount++;
    }

    /** Shifts the run [index, next free slot) one slot forward and writes the entry at index. */
    private static void insertAt(
            final MemorySegment slots, final long capacity, final long index,
            final long idHi, final long idLo, final long location) {
        long free = index;
        while (slots.get(U64, free * SLOT_BYTES + LOCATION_OFFSET) != BlockLocation.EMPTY) {
            if (++free == capacity) {
                free = 0;
            }
        }
        if (free > index) {
            MemorySegment.copy(slots, index * SLOT_BYTES, slots, (index + 1) * SLOT_BYTES, (free - index) * SLOT_BYTES);
        } else if (free < index) {
            shiftWrapped(slots, capacity, index, free);
        }
        final long offset = index * SLOT_BYTES;
        slots.set(U64, offset + ID_HI_OFFSET, idHi);
        slots.set(U64, offset + ID_LO_OFFSET, idLo);
        slots.set(U64, offset + LOCATION_OFFSET, location);
    }

    /** The rare case of {@link #insertAt}: the run wraps from the last slot to slot 0. */
    private static void shiftWrapped(
            final MemorySegment slots, final long capacity, final long index, final long free) {
        MemorySegment.copy(slots, 0, slots, SLOT_BYTES, free * SLOT_BYTES);
        MemorySegment.copy(slots, (capacity - 1) * SLOT_BYTES, slots, 0, SLOT_BYTES);
        MemorySegment.copy(
                slots, index * SLOT_BYTES, slots, (index + 1) * SLOT_BYTES, (capacity - 1 - index) * SLOT_BYTES);
    }

    /** Rehashes into 1.5x the capacity. Allocates the new table before touching the old, so a failure leaves it. */
    private void grow() {
        final MemorySegment oldSlots = slots;
        final long oldCapacity = capacity;
        final long newCapacity = oldCapacity + (oldCapacity >> 1);
        if (newCapacity > MAX_CAPACITY) {
            throw new IllegalStateException("BlockIndex cannot grow past " + MAX_CAPACITY + " slots: size=" + size);
        }
        final Arena newArena = Arena.ofShared();
        final MemorySegment newSlots;
        try {
            newSlots = allocateSlots(newArena, newCapacity);
        } catch (final RuntimeException | Error ex) {
            newArena.close();
            throw ex;
        }
        for (long offset = 0, end = oldCapacity * SLOT_BYTES; offset < end; offset += SLOT_BYTES) {
            final long location = oldSlots.get(U64, offset + LOCATION_OFFSET);
            if (location != BlockLocation.EMPTY) {
                final long idHi = oldSlots.get(U64, offset + ID_HI_OFFSET);
                final long idLo = oldSlots.get(U64, offset + ID_LO_OFFSET);
                insertAt(newSlots, newCapacity, ~probe(newSlots, newCapacity, idHi, idLo), idHi, idLo, location);
            }
        }
        final Arena oldArena = arena;
        arena = newArena;
        slots = newSlots;
        capacity = newCapacity;
        resizeThreshold = resizeThreshold(newCapacity);
        modCount++;
        oldArena.close();
    }

    /**
     * Checks the Robin Hood invariant and the size, for tests and {@code verify}.
     *
     * @return the largest probe distance found.
     * @throws IllegalStateException when the table is inconsistent.
     */
    long checkInvariants() {
        final MemorySegment slots = openSlots();
        final long capacity = this.capacity;
        long index = 0;
        while (slots.get(U64, index * SLOT_BYTES + LOCATION_OFFSET) != BlockLocation.EMPTY) {
            index++; // a free slot exists: the load never passes 85%
        }
        long count = 0;
        long maxDistance = 0;
        long previousDistance = -1; // -1: the previous slot is free
        for (long step = 0; step < capacity; step++) {
            final long offset = index * SLOT_BYTES;
            if (slots.get(U64, offset + LOCATION_OFFSET) == BlockLocation.EMPTY) {
                previousDistance = -1;
            } else {
                final long distance = probeDistance(index, slots.get(U64, offset + ID_HI_OFFSET),
                        slots.get(U64, offset + ID_LO_OFFSET), capacity);
                if (distance > previousDistance + 1) {
                    throw new IllegalStateException("Robin Hood invariant broken at slot " + index + ": distance="
                            + distance + " previous=" + previousDistance);
                }
                previousDistance = distance;
                count++;
                maxDistance = Math.max(maxDistance, distance);
            }
            if (++index == capacity) {
                index = 0;
            }
        }
        if (count != size) {
            throw new IllegalStateException("BlockIndex size mismatch: counted=" + count + " size=" + size);
        }
        return maxDistance;
    }

    private static MemorySegment allocateSlots(final Arena arena, final long capacity) {
        return arena.allocate(capacity * SLOT_BYTES, SEGMENT_ALIGNMENT_BYTES); // zeroed: every location EMPTY
    }

    private static long resizeThreshold(final long capacity) {
        return (long) (capacity * MAX_LOAD_FACTOR);
    }

    private static void requireLocation(final long location) {
        if (location == BlockLocation.EMPTY) {
            throw new IllegalArgumentException("location must not be BlockLocation.EMPTY (0)");
        }
    }

    private MemorySegment openSlots() {
        final MemorySegment slots = this.slots;
        if (slots == null) {
            throw new IllegalStateException("BlockIndex is closed");
        }
        return slots;
    }
}
