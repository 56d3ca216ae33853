package io.cairn.engine.compact;

import java.nio.file.Path;

/**
 * One sealed pack as compact sees it: its size, how many of its record bytes hold live blocks that this pack is the
 * chosen copy of ("owned"), and what compact decided for it. Mutable while planning and copying; one thread.
 */
final class PackUsage {
    final Path path;
    final int ordinal;
    long fileLength;
    /** Bytes of all records (headers and stored bytes): footer offset minus the pack header. */
    long recordBytes;
    int records;
    /** Record bytes of live blocks, duplicates of other packs' records included. */
    long liveBytes;
    /** Record bytes of the live blocks this pack is the chosen copy of. */
    long ownedBytes;
    int ownedRecords;
    PackFate fate = PackFate.KEEP;
    /** Why the pack is damaged, or null. */
    String damage;
    /** A record of this pack failed its check while compact read it: the pack is kept, never deleted. */
    boolean keptForDamage;

    PackUsage(final Path path, final int ordinal) {
        this.path = path;
        this.ordinal = ordinal;
    }

    /** Live share of the record bytes, in [0, 1]; 1 for a pack without records is never used (it owns nothing). */
    double liveFraction() {
        return recordBytes == 0 ? 0 : (double) liveBytes / recordBytes;
    }

    long garbageBytes() {
        return recordBytes - ownedBytes;
    }

    /** True when compact removes this pack (rewritten or deleted) and no record failed while it read it. */
    boolean removed() {
        return (fate == PackFate.REWRITE || fate == PackFate.DELETE) && !keptForDamage;
    }
}
