package io.cairn.format.verify;

import io.cairn.format.health.DamageLedger;

import java.util.ArrayList;
import java.util.List;

/**
 * What verify found.
 *
 * @param findings         every finding, damage and leftovers
 * @param packsChecked     sealed packs checked
 * @param recordsChecked   records checked
 * @param pointsChecked    restore points checked
 * @param intactPoints     ids of the points whose status is intact (not healed, not damaged)
 * @param reclaimableBytes bytes of leftovers and unreferenced packs
 * @param deep             whether records were decompressed and re-hashed
 * @param points           every restore point's status, in id order
 * @param newDamage        damaged records this check found that the damaged-block ledger does not list yet
 * @param ledgerUnreadable the ledger file exists but is corrupt: it must be rewritten
 */
public record VerifyReport(List<Finding> findings, int packsChecked, long recordsChecked, int pointsChecked,
                           List<String> intactPoints, long reclaimableBytes, boolean deep, List<PointHealth> points,
                           List<DamageLedger.Entry> newDamage, boolean ledgerUnreadable) {
    /** True when there is no damage (leftovers are fine). */
    public boolean clean() {
        return findings.stream().noneMatch(Finding::isDamage);
    }

    public List<Finding.DamagedPoint> damagedPoints() {
        return findings.stream().filter(f -> f instanceof Finding.DamagedPoint).map(f -> (Finding.DamagedPoint) f)
                .toList();
    }

    /** Ids of the points with the given status. */
    public List<String> pointsWith(final PointHealth.Status status) {
        return points.stream().filter(p -> p.status() == status).map(PointHealth::id).toList();
    }

    /** True when the damaged-block ledger needs writing: new damage, or an unreadable file to replace. */
    public boolean ledgerNeedsUpdate() {
        return !newDamage.isEmpty() || ledgerUnreadable;
    }

    /** This report with one more finding (what became of the ledger update). */
    public VerifyReport with(final Finding extra) {
        final List<Finding> all = new ArrayList<>(findings);
        all.add(extra);
        return new VerifyReport(List.copyOf(all), packsChecked, recordsChecked, pointsChecked, intactPoints,
                reclaimableBytes, deep, points, newDamage, ledgerUnreadable);
    }
}
