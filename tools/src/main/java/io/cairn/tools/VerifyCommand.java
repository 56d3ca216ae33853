package io.cairn.tools;

import io.cairn.engine.DeepRecordCheck;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import io.cairn.format.RepositoryLockedException;
import io.cairn.format.health.DamageLedger;
import io.cairn.format.verify.Finding;
import io.cairn.format.verify.PointHealth;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
import io.cairn.tools.cli.Args;
import io.cairn.engine.json.Json;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cairn verify --repo DIR [--deep] [--json]}: the status of every restore point (intact, healed or damaged,
 * with block numbers); exit 0 when no damage (leftovers are not damage).
 * <p>
 * Records newly found damaged are added to the damaged-block ledger (FORMAT.md section 11) under the writer lock,
 * so that the next backup of each disk stores those blocks again. When another writer holds the lock, verify still
 * reports everything, says it could not record, and exits 1.
 */
final class VerifyCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo"), Set.of("deep", "json"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        VerifyReport report = verify(repo, a.flag("deep"));
        if (report.ledgerNeedsUpdate()) {
            report = report.with(recordDamage(repo, report));
        }
        if (a.flag("json")) {
            out.println(Json.write(toJson(report)));
        } else {
            for (PointHealth p : report.points()) {
                out.println(p.describe());
            }
            for (Finding f : report.findings()) {
                if (!(f instanceof Finding.DamagedPoint)) { // already said by its point's line
                    out.println(f.describe());
                }
            }
        }
        err.println(summary(report));
        return report.clean() ? Cairn.OK : Cairn.FAILED;
    }

    static VerifyReport verify(final Repository repo, final boolean deep) throws Exception {
        if (deep) {
            try (DeepRecordCheck check = new DeepRecordCheck(repo.config().blockSize())) {
                return new RepositoryVerifier(repo, check, s -> { }).run();
            }
        }
        return new RepositoryVerifier(repo, null, s -> { }).run();
    }

    /**
     * Adds the newly damaged records to the ledger under the writer lock; never waits for the lock: a backup,
     * retention or compact holding it makes this a "could not record" finding (damage, so verify exits 1).
     */
    static Finding.LedgerUpdate recordDamage(final Repository repo, final VerifyReport report) {
        final int n = report.newDamage().size();
        try (RepositoryLock ignored = repo.lockForWrite("verify (recording damaged blocks)")) {
            DamageLedger.add(repo, report.newDamage());
            return new Finding.LedgerUpdate(n, DamageLedger.path(repo), null);
        } catch (RepositoryLockedException e) {
            return new Finding.LedgerUpdate(n, DamageLedger.path(repo), e.getMessage());
        } catch (java.io.IOException | RuntimeException e) {
            return new Finding.LedgerUpdate(n, DamageLedger.path(repo), Cairn.describe(e));
        }
    }

    static String summary(final VerifyReport r) {
        final long damagedRecords = r.findings().stream().filter(f -> f instanceof Finding.DamagedRecord).count();
        final long superseded = r.findings().stream()
                .filter(f -> f instanceof Finding.DamagedRecord d && d.superseded()).count();
        final long damagedPacks = r.findings().stream().filter(f -> f instanceof Finding.DamagedPack).count();
        final boolean unrecorded = r.findings().stream()
                .anyMatch(f -> f instanceof Finding.LedgerUpdate u && u.problem() != null);
        return String.format("verify%s: %s: %d restore points (%d intact, %d healed, %d damaged), %d packs, "
                        + "%d records, %d damaged packs, %d damaged records (%d superseded by an intact copy)%s, "
                        + "%s reclaimable",
                r.deep() ? " --deep" : "", r.clean() ? "OK" : "DAMAGE FOUND", r.pointsChecked(),
                r.pointsWith(PointHealth.Status.INTACT).size(), r.pointsWith(PointHealth.Status.HEALED).size(),
                r.pointsWith(PointHealth.Status.DAMAGED).size(), r.packsChecked(), r.recordsChecked(), damagedPacks,
                damagedRecords, superseded, unrecorded ? ", new damage NOT recorded (repository busy)" : "",
                Units.bytes(r.reclaimableBytes()));
    }

    static Map<String, Object> toJson(final VerifyReport r) {
        final Map<String, Object> m = Json.object();
        m.put("clean", r.clean());
        m.put("deep", r.deep());
        m.put("points_checked", r.pointsChecked());
        m.put("packs_checked", r.packsChecked());
        m.put("records_checked", r.recordsChecked());
        final List<Object> points = new ArrayList<>();
        for (PointHealth p : r.points()) {
            final Map<String, Object> o = Json.object();
            o.put("id", p.id());
            o.put("disk", p.disk());
            o.put("status", p.status().label());
            o.put("damaged_blocks", p.damagedBlocks().asStrings());
            o.put("damaged_block_count", p.damagedBlocks().count());
            o.put("healed_blocks", p.healedBlocks());
            o.put("detail", p.detail());
            points.add(o);
        }
        m.put("points", points);
        m.put("intact_points", r.intactPoints());
        m.put("healed_points", r.pointsWith(PointHealth.Status.HEALED));
        final List<Object> damaged = new ArrayList<>();
        for (Finding.DamagedPoint d : r.damagedPoints()) {
            final Map<String, Object> o = Json.object();
            o.put("id", d.pointId());
            o.put("disk", d.disk());
            o.put("detail", d.detail());
            o.put("bad_blocks", d.badBlocks());
            o.put("first_bad_blocks", d.firstBadBlocks());
            o.put("damaged_blocks", d.blocks().asStrings());
            damaged.add(o);
        }
        m.put("damaged_points", damaged);
        final Map<String, Object> ledger = Json.object();
        final String problem = r.findings().stream().filter(f -> f instanceof Finding.LedgerUpdate)
                .map(f -> ((Finding.LedgerUpdate) f).problem()).filter(java.util.Objects::nonNull).findFirst()
                .orElse(null);
        ledger.put("new_damaged_records", r.newDamage().size());
        ledger.put("recorded", problem == null);
        ledger.put("problem", problem);
        m.put("damage_ledger", ledger);
        final List<Object> findings = new ArrayList<>();
        for (Finding f : r.findings()) {
            final Map<String, Object> o = Json.object();
            o.put("kind", f.getClass().getSimpleName());
            o.put("damage", f.isDamage());
            o.put("text", f.describe());
            findings.add(o);
        }
        m.put("findings", findings);
        m.put("reclaimable_bytes", r.reclaimableBytes());
        return m;
    }

    @Override
    public String help() {
        return """
                usage: cairn verify --repo DIR [--deep] [--json]

                Checks every pack record's CRC32C, every restore point file, and that every block a restore point
                references exists intact. --deep also decompresses and re-hashes every block (it also finds
                content that was wrong before its checksum was computed).

                Prints one line per restore point: intact, healed (a damaged block was stored again by a later
                backup) or damaged (with the block numbers that have no intact copy). Damaged records found are
                recorded in REPO/health/damaged, so the next backup of each disk re-reads those blocks from the
                source and stores them again; the points that need them then become "healed".
                Exit code 1 while anything is damaged, or when new damage could not be recorded because another
                cairn process holds the repository. Leftovers of interrupted runs are reported as reclaimable
                space and do not fail the check.
                """;
    }
}
