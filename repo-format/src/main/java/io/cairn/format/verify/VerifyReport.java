package io.cairn.format.verify;

import java.util.List;

/**
 * What verify found.
 *
 * @param findings        every finding, damage and leftovers
 * @param packsChecked    sealed packs checked
 * @param recordsChecked  records checked
 * @param pointsChecked   restore points checked
 * @param intactPoints    ids of the points that restore bit-exact as far as verify can tell
 * @param reclaimableBytes bytes of leftovers and unreferenced packs
 * @param deep            whether records were decompressed and re-hashed
 */
public record VerifyReport(List<Finding> findings, int packsChecked, long recordsChecked, int pointsChecked,
                           List<String> intactPoints, long reclaimableBytes, boolean deep) {
    /** True when there is no damage (leftovers are fine). */
    public boolean clean() {
        return findings.stream().noneMatch(Finding::isDamage);
    }

    public List<Finding.DamagedPoint> damagedPoints() {
        return findings.stream().filter(f -> f instanceof Finding.DamagedPoint).map(f -> (Finding.DamagedPoint) f)
                .toList();
    }
}
