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

    /** One record that fails its checks. */
    record DamagedRecord(Path pack, long offset, String blockId, String detail) implements Finding {
        public boolean isDamage() {
            return true;
        }

        public String describe() {
            return "damaged record in " + pack + " at offset " + offset + " (block " + blockId + "): " + detail;
        }
    }

    /** A restore point that cannot be restored bit-exact, with its first bad block numbers. */
    record DamagedPoint(String pointId, String disk, Path path, String detail, long badBlocks, long[] firstBadBlocks)
            implements Finding {
        public boolean isDamage() {
            return true;
        }

        public String describe() {
            final StringBuilder sb = new StringBuilder("damaged restore point " + pointId + " (disk " + disk + "): "
                    + detail);
            if (badBlocks > 0) {
                sb.append("; ").append(badBlocks).append(" bad block(s), first: ");
                for (int i = 0; i < firstBadBlocks.length; i++) {
                    sb.append(i == 0 ? "" : ", ").append(firstBadBlocks[i]);
                }
            }
            return sb.toString();
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
