package io.cairn.tools;

import io.cairn.engine.retention.RetentionDecision;
import io.cairn.engine.retention.RetentionJob;
import io.cairn.engine.retention.RetentionPolicy;
import io.cairn.engine.retention.RetentionResult;
import io.cairn.format.Ids;
import io.cairn.format.Repository;
import io.cairn.tools.cli.Args;
import io.cairn.engine.json.Json;
import io.cairn.tools.cli.UsageException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cairn retention --repo DIR [--disk NAME] [--keep-last N] [--keep-days N] [--keep-weekly N]
 * [--keep-monthly N] [--keep-yearly N] [--dry-run] [--json]}: stdout lists every restore point as KEEP or REMOVE
 * with its reasons (or one JSON object), stderr the summary. At least one rule is required, so that a typo can
 * never delete everything; the newest point of each disk is always kept.
 */
final class RetentionCommand implements Command {
    private static final List<String> RULES = List.of("keep-last", "keep-days", "keep-weekly", "keep-monthly",
            "keep-yearly");

    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "disk", "keep-last", "keep-days", "keep-weekly",
                "keep-monthly", "keep-yearly"), Set.of("dry-run", "json"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final String disk = a.get("disk");
        if (disk != null && !Ids.isDiskName(disk)) {
            throw new UsageException("invalid disk name '" + disk + "': use 1-64 of A-Z a-z 0-9 . _ -");
        }
        final RetentionPolicy policy = policy(a);
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final boolean dryRun = a.flag("dry-run");
        final List<String> warnings = new ArrayList<>();
        final RetentionResult r;
        try {
            r = new RetentionJob(repo, warnings::add).run(disk, policy, Instant.now(), dryRun);
        } finally {
            for (String w : warnings) {
                err.println("cairn: warning: " + w);
            }
        }
        if (a.flag("json")) {
            out.println(Json.write(toJson(r)));
        } else {
            for (RetentionDecision d : r.plan().decisions()) {
                out.printf("%-6s  %-36s  %-16s  %-20s  %s%n", d.keep() ? "KEEP" : "REMOVE", d.point().id(),
                        d.point().disk(), time(d), String.join(", ", d.reasons()));
            }
        }
        err.println(summary(r));
        return Cairn.OK;
    }

    /** The policy from the command line; a usage error when no rule or a bad count is given. */
    static RetentionPolicy policy(final Args a) {
        final int[] n = new int[RULES.size()];
        boolean any = false;
        for (int i = 0; i < n.length; i++) {
            final String v = a.get(RULES.get(i));
            if (v != null) {
                n[i] = count(RULES.get(i), v);
                any = true;
            }
        }
        if (!any) {
            throw new UsageException("give at least one rule (--keep-last, --keep-days, --keep-weekly, "
                    + "--keep-monthly or --keep-yearly); nothing was deleted");
        }
        return new RetentionPolicy(n[0], n[1], n[2], n[3], n[4]);
    }

    private static int count(final String option, final String value) {
        final int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + option + " needs a whole number from 1 to " + RetentionPolicy.MAX_COUNT
                    + ", not '" + value + "'");
        }
        if (n < 1 || n > RetentionPolicy.MAX_COUNT) {
            throw new UsageException("--" + option + " must be from 1 to " + RetentionPolicy.MAX_COUNT + ", not " + n);
        }
        return n;
    }

    private static String time(final RetentionDecision d) {
        return d.point().created().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String summary(final RetentionResult r) {
        final long disks = r.plan().decisions().stream().map(d -> d.point().disk()).distinct().count();
        final int kept = r.plan().kept().size();
        final long protectedKept = r.plan().kept().stream()
                .filter(d -> d.reasons().stream().anyMatch(x -> x.startsWith(RetentionJob.PROTECTED_PREFIX))).count();
        final String prot = protectedKept == 0 ? "" : " (" + protectedKept + " protected by cairn immutable)";
        final int removed = r.plan().removed().size();
        if (r.dryRun()) {
            return String.format("retention (%s), dry run: would keep %d%s and remove %d restore points of %d disk%s;"
                    + " nothing was deleted", r.plan().policy().describe(), kept, prot, removed, disks,
                    disks == 1 ? "" : "s");
        }
        return String.format("retention (%s): kept %d%s, removed %d restore points of %d disk%s%s",
                r.plan().policy().describe(), kept, prot, r.deletedPoints(), disks, disks == 1 ? "" : "s",
                r.deletedPoints() > 0 ? "; blocks only they referenced are now reclaimable (cairn verify shows them,"
                        + " compact frees them)" : "");
    }

    static Map<String, Object> toJson(final RetentionResult r) {
        final Map<String, Object> m = Json.object();
        m.put("dry_run", r.dryRun());
        m.put("policy", r.plan().policy().describe());
        m.put("kept", decisions(r.plan().kept()));
        m.put("removed", decisions(r.plan().removed()));
        m.put("deleted_points", r.deletedPoints());
        return m;
    }

    private static List<Object> decisions(final List<RetentionDecision> ds) {
        final List<Object> arr = new ArrayList<>(ds.size());
        for (RetentionDecision d : ds) {
            final Map<String, Object> o = Json.object();
            o.put("id", d.point().id());
            o.put("disk", d.point().disk());
            o.put("time", d.point().created().toString());
            o.put("reasons", d.reasons());
            for (String reason : d.reasons()) {
                if (reason.startsWith(RetentionJob.PROTECTED_PREFIX)) {
                    o.put("protected_until", reason.substring(RetentionJob.PROTECTED_PREFIX.length()));
                }
            }
            arr.add(o);
        }
        return arr;
    }

    @Override
    public String help() {
        return """
                usage: cairn retention --repo DIR [--disk NAME] [--keep-last N] [--keep-days N] [--keep-weekly N]
                                       [--keep-monthly N] [--keep-yearly N] [--dry-run] [--json]

                Deletes the restore points that no rule keeps, per disk (every disk unless --disk is given).
                A point is kept when any rule keeps it (as restic's forget does); the newest point of each disk
                is always kept. At least one rule is required.

                  --keep-last N      the N newest points
                  --keep-days N      every point created in the last N days (N x 24 hours before now)
                  --keep-weekly N    the newest point of each of the last N ISO weeks (Monday-Sunday) that have points
                  --keep-monthly N   the newest point of each of the last N calendar months that have points
                  --keep-yearly N    the newest point of each of the last N calendar years that have points
                  --dry-run          only print what would be kept and removed; delete nothing
                  --json             one object: dry_run, policy, kept and removed arrays (id, disk, time, reasons,
                                     and protected_until for a point protected by cairn immutable)

                All times and periods are in UTC (a point's time is when its backup finished).
                stdout: one line per restore point, KEEP or REMOVE, id, disk, time, reasons. Summary on stderr.
                Takes the repository's writer lock (exit 3 while a backup runs); a dry run takes none.
                A point protected by 'cairn immutable' is kept ("protected until TIME") whatever the rules say;
                expired protection is lifted before deleting.
                Deleting a point never breaks another (each point is self-contained). Blocks that only removed
                points referenced stay in their packs as reclaimable space until compact.
                """;
    }
}
