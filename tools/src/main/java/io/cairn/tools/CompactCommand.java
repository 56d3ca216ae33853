package io.cairn.tools;

import io.cairn.engine.compact.CompactJob;
import io.cairn.engine.compact.CompactOptions;
import io.cairn.engine.compact.CompactResult;
import io.cairn.engine.json.Json;
import io.cairn.format.Repository;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code cairn compact --repo DIR [--threshold PCT] [--dry-run] [--wait] [--json]}: reclaims the space of blocks
 * no restore point references (FORMAT.md section 10). stdout carries only the JSON object (with --json); the
 * summary goes to stderr. Exit 3 while another writer holds the lock (unless --wait); exit 1 when a restore point
 * file is unreadable (compact cannot know what it references, so it changes nothing).
 */
final class CompactCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "threshold"), Set.of("dry-run", "wait", "json"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final int threshold = a.get("threshold") == null ? CompactOptions.DEFAULT_THRESHOLD_PCT
                : threshold(a.get("threshold"));
        if (a.flag("dry-run") && a.flag("wait")) {
            throw new UsageException("--wait has no effect with --dry-run (a dry run takes no lock)");
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final List<String> messages = new ArrayList<>();
        final CompactResult r;
        try {
            r = new CompactJob(repo, m -> {
                messages.add(m);
                if (m.startsWith("waiting")) { // say it now: the user is waiting
                    err.println("cairn: " + m);
                    err.flush();
                }
            }).run(new CompactOptions(threshold, a.flag("dry-run"), a.flag("wait")));
        } finally {
            for (String m : messages) {
                if (!m.startsWith("waiting")) {
                    err.println("cairn: warning: " + m);
                }
            }
        }
        if (a.flag("json")) {
            out.println(Json.write(toJson(r)));
        }
        err.println(summary(r));
        return Cairn.OK;
    }

    static int threshold(final String value) {
        final String v = value.trim().endsWith("%") ? value.trim().substring(0, value.trim().length() - 1)
                : value.trim();
        final int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--threshold needs a whole percentage from 0 to 100, not '" + value + "'");
        }
        if (n < 0 || n > 100) {
            throw new UsageException("--threshold must be from 0 to 100 (percent), not " + n);
        }
        return n;
    }

    static String summary(final CompactResult r) {
        final String what = r.dryRun() ? "compact (dry run, nothing changed): would reclaim" : "compact: reclaimed";
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%s %s: %d packs rewritten, %d deleted, %d written (%s copied, %d live blocks)",
                what, Units.bytes(r.bytesReclaimed()), r.packsRewritten(), r.packsDeleted(), r.packsWritten(),
                Units.bytes(r.bytesCopied()), r.liveBlocks()));
        if (r.tmpFilesRemoved() > 0) {
            sb.append(String.format(Locale.ROOT, ", %d tmp leftover%s", r.tmpFilesRemoved(),
                    r.tmpFilesRemoved() == 1 ? "" : "s"));
        }
        if (r.packsBelowThreshold() > 0) {
            sb.append(String.format(Locale.ROOT, "; %s of garbage left in %d pack%s below the %d%% threshold",
                    Units.bytes(r.garbageBelowThresholdBytes()), r.packsBelowThreshold(),
                    r.packsBelowThreshold() == 1 ? "" : "s", r.thresholdPct()));
        }
        if (r.packsDamaged() + r.packsKeptForDamage() > 0) {
            sb.append(String.format(Locale.ROOT, "; %d damaged pack%s left alone (run cairn verify)",
                    r.packsDamaged() + r.packsKeptForDamage(),
                    r.packsDamaged() + r.packsKeptForDamage() == 1 ? "" : "s"));
        }
        if (r.liveBlocksMissing() > 0) {
            sb.append(String.format(Locale.ROOT, "; %d referenced blocks are in no intact pack (run cairn verify)",
                    r.liveBlocksMissing()));
        }
        sb.append(String.format(Locale.ROOT, "; %s", Units.seconds(r.durationNs())));
        return sb.toString();
    }

    static Map<String, Object> toJson(final CompactResult r) {
        final Map<String, Object> m = Json.object();
        m.put("dry_run", r.dryRun());
        m.put("threshold_pct", r.thresholdPct());
        m.put("packs_before", r.packsBefore());
        m.put("packs_rewritten", r.packsRewritten());
        m.put("packs_deleted", r.packsDeleted());
        m.put("packs_written", r.packsWritten());
        m.put("packs_damaged", r.packsDamaged());
        m.put("packs_kept_for_damage", r.packsKeptForDamage());
        m.put("records_failed", r.recordsFailed());
        m.put("bytes_reclaimed", r.bytesReclaimed());
        m.put("bytes_copied", r.bytesCopied());
        m.put("blocks_copied", r.blocksCopied());
        m.put("live_blocks", r.liveBlocks());
        m.put("live_blocks_missing", r.liveBlocksMissing());
        m.put("garbage_below_threshold_bytes", r.garbageBelowThresholdBytes());
        m.put("packs_below_threshold", r.packsBelowThreshold());
        m.put("tmp_files_removed", r.tmpFilesRemoved());
        m.put("duration_s", r.durationNs() / 1e9);
        return m;
    }

    @Override
    public String help() {
        return """
                usage: cairn compact --repo DIR [--threshold PCT] [--dry-run] [--wait] [--json]

                Reclaims the space of blocks that no restore point references any more: packs that hold no
                referenced block are deleted; a pack in which at least PCT %% of the record bytes are garbage is
                rewritten (its referenced blocks are copied, unchanged, into new packs, which are made durable
                before any old pack is deleted). Leftovers of interrupted runs in tmp/ are removed.

                  --threshold PCT  rewrite a partly used pack from this share of garbage on (default %d;
                                   0 reclaims everything, 100 only deletes wholly unreferenced packs)
                  --dry-run        only report what would be reclaimed; takes no lock, changes nothing
                  --wait           wait while a backup (or another writer) holds the lock instead of exit 3
                  --json           one object on stdout: packs_rewritten, packs_deleted, packs_written,
                                   bytes_reclaimed, bytes_copied, live_blocks, garbage_below_threshold_bytes,
                                   packs_below_threshold, tmp_files_removed, duration_s, and more

                Safe to kill at any moment (every restore point stays restorable; run compact again to finish).
                Restores and verify may run meanwhile (they take no lock). Takes the writer lock: exit 3 while a
                backup, retention or another compact runs. If a restore point file is unreadable, compact cannot
                know which blocks it references and changes nothing (exit 1). Damaged packs are left alone, and a
                record that fails its check is never copied (its pack is kept for repair).
                """.formatted(CompactOptions.DEFAULT_THRESHOLD_PCT);
    }
}
