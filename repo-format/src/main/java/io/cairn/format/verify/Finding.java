package io.cairn.format.verify;

import java.nio.file.Path;

/** One result of a repository check (FORMAT.md section 8). Damage makes verify fail; leftovers do not. */
public sealed interface Finding {
    /** True when this finding is damage (verify exits non-zero). */
    boolean isDamage();

    /** One line for humans. */
    String describe();

    /** A pack whose header, trailer or footer is unreadable: none of its blocks can be trusted. */
    record DamagedPack(Path path, String detail) implements Finding {
        public boolean isDamage() {
            return true;
        }

        public String describe() {
            return "damaged pack " + path + ": " + detail;
        }
    }

    /**
     * One record that fails its checks, or that the damaged-block ledger lists (FORMAT.md section 11). It is damage
     * only while no intact copy of its block id exists: a bad record superseded by a good copy is harmless (the
     * index serves the good copy), even before compact removes it.
     *
     * @param listed     the ledger listed it before this check (else it was found now)
     * @param superseded another, intact record holds the same block id
     */
    record DamagedRecord(Path pack, long offset, String blockId, String detail, boolean listed, boolean superseded)
            implements Finding {
        public boolean isDamage() {
            return !superseded;
        }

        public String describe() {
            return "damaged record in " + pack + " at offset " + offset + " (block " + blockId + "): " + detail
                    + (superseded ? "; superseded by an intact copy" : "");
        }
    }

    /**
     * A restore point that cannot be restored bit-exact, with its bad block numbers.
     *
     * @param blocks block numbers without an intact record (empty when the point's own file is damaged)
     */
    record DamagedPoint(String pointId, String disk, Path path, String detail, BlockRanges blocks)
            implements Finding {
        public boolean isDamage() {
            return true;
        }

        /** {@return the number of bad blocks} */
        public long badBlocks() {
            return blocks.count();
        }

        /** {@return the first bad block numbers (at most 10)} */
        public long[] firstBadBlocks() {
            return blocks.firstBlocks(10);
        }

        public String describe() {
            return "damaged restore point " + pointId + " (disk " + disk + "): " + detail
                    + (blocks.isEmpty() ? "" : "; " + blocks.count() + " bad block(s): " + blocks);
        }
    }

    /**
     * What became of the records this check found damaged and the ledger did not list yet: recorded in the
     * damaged-block ledger (so backups store those blocks again), or not, because the writer lock was taken or the
     * write failed. Not recorded is damage: until it is, backups may still dedup against the bad records.
     *
     * @param entries how many records
     * @param ledger  the ledger file
     * @param problem why they could not be recorded, or null when they were
     */
    record LedgerUpdate(int entries, Path ledger, String problem) implements Finding {
        public boolean isDamage() {
            return problem != null;
        }

        public String describe() {
            if (problem == null && entries == 0) {
                return "rewrote the unreadable damaged-block ledger " + ledger;
            }
            return problem == null
                    ? "recorded " + entries + " newly damaged record(s) in " + ledger
                            + ": the next backup of each disk stores those blocks again"
                    : "could not record " + entries + " newly damaged record(s) in " + ledger + ": " + problem
                            + "; run verify again when the repository is free";
        }
    }

    /**
     * A repository file other than a pack or point that breaks FORMAT.md, e.g. a damaged immutability record
     * (section 12): deletes fail closed until it is repaired.
     */
    record DamagedFile(Path path, String detail) implements Finding {
        public boolean isDamage() {
            return true;
        }

        public String describe() {
            return "damaged repository file " + path + ": " + detail;
        }
    }

    /** Space a later compact can reclaim: tmp/ leftovers and packs no point references. Not damage. */
    record Reclaimable(Path path, long bytes, String why) implements Finding {
        public boolean isDamage() {
            return false;
        }

        public String describe() {
            return "reclaimable " + bytes + " bytes: " + path + " (" + why + ")";
        }
    }

    /** Something odd that is not damage (an unknown file name, say). */
    record Warning(String text) implements Finding {
        public boolean isDamage() {
            return false;
        }

        public String describe() {
            return "warning: " + text;
        }
    }
}
