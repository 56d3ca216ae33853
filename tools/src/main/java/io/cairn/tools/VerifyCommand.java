package io.cairn.tools;

import io.cairn.engine.DeepRecordCheck;
import io.cairn.format.Repository;
import io.cairn.format.verify.Finding;
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

/** {@code cairn verify --repo DIR [--deep] [--json]}: exit 0 when no damage (leftovers are not damage). */
final class VerifyCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo"), Set.of("deep", "json"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final VerifyReport report = verify(repo, a.flag("deep"));
        if (a.flag("json")) {
            out.println(Json.write(toJson(report)));
        } else {
            for (Finding f : report.findings()) {
                out.println(f.describe());
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

    static String summary(final VerifyReport r) {
        final long damaged = r.damagedPoints().size();
        final long other = r.findings().stream().filter(f -> f.isDamage() && !(f instanceof Finding.DamagedPoint))
                .count();
        return String.format("verify%s: %s: %d restore points (%d intact, %d damaged), %d packs, %d records, "
                        + "%d damaged pack/record findings, %s reclaimable",
                r.deep() ? " --deep" : "", r.clean() ? "OK" : "DAMAGE FOUND", r.pointsChecked(),
                r.intactPoints().size(), damaged, r.packsChecked(), r.recordsChecked(), other,
                Units.bytes(r.reclaimableBytes()));
    }

    static Map<String, Object> toJson(final VerifyReport r) {
        final Map<String, Object> m = Json.object();
        m.put("clean", r.clean());
        m.put("deep", r.deep());
        m.put("points_checked", r.pointsChecked());
        m.put("packs_checked", r.packsChecked());
        m.put("records_checked", r.recordsChecked());
        m.put("intact_points", r.intactPoints());
        final List<Object> damaged = new ArrayList<>();
        for (Finding.DamagedPoint d : r.damagedPoints()) {
            final Map<String, Object> o = Json.object();
            o.put("id", d.pointId());
            o.put("disk", d.disk());
            o.put("detail", d.detail());
            o.put("bad_blocks", d.badBlocks());
            o.put("first_bad_blocks", d.firstBadBlocks());
            damaged.add(o);
        }
        m.put("damaged_points", damaged);
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
                references exists intact. --deep also decompresses and re-hashes every block.
                Damaged restore points are named; exit code 1 on damage. Leftovers of interrupted runs are
                reported as reclaimable space and do not fail the check.
                """;
    }
}
