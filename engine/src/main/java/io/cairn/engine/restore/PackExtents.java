package io.cairn.engine.restore;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.PackCatalog;
import io.cairn.format.pack.PackReader;

import java.io.IOException;
import java.util.Arrays;

/**
 * Stored length of each record, by pack and record offset, from the packs' footers (FORMAT.md 4.3): the block
 * index holds only where a record starts, and a reader that wants to read a whole record in one request (and
 * no more) must know where it ends.
 * <p>
 * A pack's footer is read on the first lookup in it (a cold path: one small read per pack); a lookup is then
 * a binary search over the footer's record offsets, which are in record order and so ascending.
 * <p>
 * Threads: confined to the restore's reader thread.
 */
final class PackExtents {
    private final PackCatalog catalog;
    private long[][] offsets;
    private int[][] storedLengths;

    PackExtents(final PackCatalog catalog) {
        this.catalog = catalog;
        this.offsets = new long[catalog.packCount()][];
        this.storedLengths = new int[catalog.packCount()][];
    }

    /** The stored length of the record at recordOffset of pack ordinal. */
    int storedLength(final int ordinal, final long recordOffset) throws IOException {
        if (ordinal >= offsets.length) { // the catalog was reloaded and grew (a compact ran beside the restore)
            offsets = Arrays.copyOf(offsets, catalog.packCount());
            storedLengths = Arrays.copyOf(storedLengths, catalog.packCount());
        }
        long[] o = offsets[ordinal];
        if (o == null) {
            load(ordinal);
            o = offsets[ordinal];
        }
        final int i = Arrays.binarySearch(o, recordOffset);
        if (i < 0) {
            throw new CorruptRepositoryException(catalog.packPath(ordinal), recordOffset,
                    "no footer entry for a record at this offset");
        }
        return storedLengths[ordinal][i];
    }

    private void load(final int ordinal) throws IOException {
        try (PackReader r = PackReader.open(catalog.packPath(ordinal))) {
            final int n = r.recordCount();
            final long[] o = new long[n];
            final int[] s = new int[n];
            for (int i = 0; i < n; i++) {
                o[i] = r.recordOffset(i);
                s[i] = r.storedLength(i);
            }
            offsets[ordinal] = o;
            storedLengths[ordinal] = s;
        }
    }
}
