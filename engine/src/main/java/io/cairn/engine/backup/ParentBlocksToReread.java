package io.cairn.engine.backup;

import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.point.PointReader;

/**
 * The parent point's blocks that an incremental must read even when change tracking says they did not change:
 * those whose non-zero id has no intact record in the repository any more (its record is listed in the
 * damaged-block ledger, FORMAT.md section 11, or its pack is damaged or gone). Copying such an id from the parent
 * would copy the damage into the new point; reading the block stores it again, which also heals every older point
 * that holds the same id.
 * <p>
 * Built once before the reader starts, as one bit per block; the reader's per-block test is a load and a mask.
 */
final class ParentBlocksToReread {
    private ParentBlocksToReread() {
    }

    /** One bit per parent block (bit b of word b/64) set when its id is absent from index; null when none is. */
    static long[] find(final PointReader parent, final BlockIndex index) {
        final long blocks = parent.blockCount();
        long[] bits = null;
        for (long b = 0; b < blocks; b++) {
            final long hi = parent.idHi(b);
            final long lo = parent.idLo(b);
            if ((hi != 0 || lo != 0) && index.get(hi, lo) == BlockLocation.EMPTY) {
                if (bits == null) {
                    bits = new long[(int) ((blocks + 63) >>> 6)];
                }
                bits[(int) (b >>> 6)] |= 1L << b;
            }
        }
        return bits;
    }

    /** Blocks set in bits (0 for null). */
    static long count(final long[] bits) {
        long n = 0;
        if (bits != null) {
            for (long w : bits) {
                n += Long.bitCount(w);
            }
        }
        return n;
    }
}
