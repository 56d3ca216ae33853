package io.cairn.tools;

import io.cairn.engine.json.Json;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import io.cairn.format.immutable.Immutability;
import io.cairn.format.immutable.ImmutabilityRecord;
import io.cairn.format.immutable.ImmutableAttributeException;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.UsageException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * {@code cairn immutable --repo DIR --days N | --status | --lift-expired [--json]}: protects the repository's
 * sealed files with the immutable attribute and records until when (FORMAT.md section 12). stdout carries the
 * status (or one JSON object), stderr the one-line summary of what was done.
 */
final class ImmutableCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "days"), Set.of("status", "lift-expired", "json"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final int actions = (a.get("days") != null ? 1 : 0) + (a.flag("status") ? 1 : 0)
                + (a.flag("lift-expired") ? 1 : 0);
        if (actions != 1) {
            throw new UsageException("give exactly one of --days N, --status or --lift-expired");
        }
        final Integer days = a.get("days") == null ? null : days(a.get("days"));
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final Immutability im = repo.immutability();
        final Map<String, Object> json = Json.object();
        final String summary;
        if (days != null) {
            json.put("action", "protect");
            summary = protect(repo, days, json);
        } else if (a.flag("lift-expired")) {
            json.put("action", "lift-expired");
            final int lifted;
            try (RepositoryLock ignored = repo.lockForWrite("immutable --lift-expired")) {
                lifted = im.liftExpired(Instant.now());
            }
            json.put("lifted_files", lifted);
            summary = "lifted the expired protection of " + lifted + " file(s)";
        } else {
            json.put("action", "status");
            summary = null;
        }
        final Immutability.Status s = im.status(Instant.now());
        json.put("policy_days", s.policyDays());
        json.put("protected_files", s.protectedFiles());
        json.put("earliest_until", s.earliestUntil() == null ? null : s.earliestUntil().toString());
        json.put("latest_until", s.latestUntil() == null ? null : s.latestUntil().toString());
        json.put("expired_files", s.expiredFiles());
        json.put("unflagged_files", s.unflaggedFiles());
        json.put("attribute_supported", s.attributeSupported());
        if (a.flag("json")) {
            out.println(Json.write(json));
        } else {
            printStatus(s, out);
        }
        if (summary != null) {
            err.println(summary);
        }
        return Cairn.OK;
    }

    /** --days N: probe, record, flag; or turn the policy off. */
    private static String protect(final Repository repo, final int days, final Map<String, Object> json)
            throws IOException {
        final Immutability im = repo.immutability();
        try (RepositoryLock ignored = repo.lockForWrite("immutable --days " + days)) {
            if (days == 0) {
                im.protectAll(0, Instant.now());
                json.put("newly_protected_files", 0);
                json.put("until", null);
                return "immutability policy off: files sealed from now on are not protected; existing protection"
                        + " stays until it expires";
            }
            try {
                im.probe();
            } catch (ImmutableAttributeException e) {
                throw new IOException(e.getMessage() + "; nothing protected", e);
            }
            final Immutability.ProtectResult r = im.protectAll(days, Instant.now());
            json.put("newly_protected_files", r.files());
            json.put("until", r.until().toString());
            return String.format("protected %d file(s) (%d pack(s), %d restore point file(s), the config) until %s;"
                    + " policy: files sealed later are protected for %d day(s)", r.files(), r.packs(), r.points(),
                    r.until(), days);
        }
    }

    private static void printStatus(final Immutability.Status s, final PrintStream out) {
        out.println("policy: " + (s.policyDays() == 0 ? "off (files sealed later are not protected)"
                : "files sealed later are protected for " + s.policyDays() + " day(s)"));
        out.println("protected files: " + s.protectedFiles() + (s.protectedFiles() == 0 ? ""
                : " (until " + s.earliestUntil() + " .. " + s.latestUntil() + ")"));
        out.println("expired, not yet lifted: " + s.expiredFiles());
        out.println("protected but without the attribute: " + s.unflaggedFiles());
        out.println("file system supports the immutable attribute: " + (s.attributeSupported() ? "yes" : "no"));
    }

    private static int days(final String value) {
        final int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--days needs a whole number from 0 to " + ImmutabilityRecord.MAX_DAYS
                    + ", not '" + value + "'");
        }
        if (n < 0 || n > ImmutabilityRecord.MAX_DAYS) {
            throw new UsageException("--days must be from 0 to " + ImmutabilityRecord.MAX_DAYS + ", not " + n);
        }
        return n;
    }

    @Override
    public String help() {
        return """
                usage: cairn immutable --repo DIR --days N [--json]
                       cairn immutable --repo DIR --status [--json]
                       cairn immutable --repo DIR --lift-expired [--json]

                Protects the repository with the Linux immutable attribute (chattr +i), so that not even root's
                rm can delete or change a protected file until the attribute is lifted.

                  --days N         protect every sealed pack, every restore point file and the config for N days
                                   from now, and make N days the repository's policy: every pack and restore point
                                   sealed later (backups, compact) is protected for N days from its sealing.
                                   Protection only ever extends: a later time already recorded stays.
                                   --days 0 turns the policy off; existing protection stays until it expires.
                  --status         print the policy and the earliest and latest protected-until times
                  --lift-expired   clear the attribute of files whose protection has ended
                                   (retention lifts expired protection by itself before it deletes)
                  --json           one object: action, policy_days, protected_files, earliest_until, latest_until,
                                   expired_files, unflagged_files, attribute_supported (and newly_protected_files,
                                   until or lifted_files)

                The protected-until times are recorded in DIR/immutability (that file stays writable, since it is
                updated). Retention keeps a protected restore point ("protected until ...") and deletes never touch
                a protected file. Setting the attribute needs root (CAP_LINUX_IMMUTABLE); a file system without it
                (ramfs, vfat, most network file systems) is refused with exit 1 and nothing is recorded.
                Takes the repository's writer lock (exit 3 while a backup runs), except --status.
                """;
    }
}
