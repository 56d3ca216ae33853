package io.cairn.format.verify;

/**
 * What verify says about one restore point (FORMAT.md sections 8 and 11).
 *
 * @param id            restore point id
 * @param disk          disk name
 * @param status        intact, healed or damaged
 * @param detail        why it is damaged (empty otherwise)
 * @param damagedBlocks block numbers that have no intact record (empty unless damaged; also empty when the point's
 *                      own file is unreadable, see detail)
 * @param healedBlocks  blocks whose id once had a damaged record and now has an intact copy
 */
public record PointHealth(String id, String disk, Status status, String detail, BlockRanges damagedBlocks,
                          long healedBlocks) {
    /** Health of a restore point. */
    public enum Status {
        /** Every block has an intact record and none of its ids was ever found damaged. */
        INTACT,
        /** Every block has an intact record; some had a damaged record that a later backup superseded. */
        HEALED,
        /** Some block has no intact record, or the point file itself is damaged: it cannot restore bit-exact. */
        DAMAGED;

        /** Lower-case name, as printed and in JSON. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One line for humans. */
    public String describe() {
        return switch (status) {
            case INTACT -> "intact restore point " + id + " (disk " + disk + ")";
            case HEALED -> "healed restore point " + id + " (disk " + disk + "): " + healedBlocks
                    + " block(s) had a damaged record and now have an intact copy";
            case DAMAGED -> "damaged restore point " + id + " (disk " + disk + "): " + detail
                    + (damagedBlocks.isEmpty() ? "" : "; " + damagedBlocks.count() + " bad block(s): " + damagedBlocks);
        };
    }
}
