package io.cairn.engine.retention;

import io.cairn.engine.DebugPause;
import io.cairn.format.Ids;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import io.cairn.format.immutable.ImmutabilityRecord;
import io.cairn.format.immutable.ImmutableAttributeException;
import io.cairn.format.immutable.ProtectedException;
import io.cairn.format.immutable.ProtectedPaths;
import io.cairn.format.point.Manifest;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies a {@link RetentionPolicy} to a repository: lists the restore points (of one disk or all), plans with
 * {@link RetentionPlanner} and deletes the removed points with {@link Repository#deletePoint} under the writer
 * lock (FORMAT.md section 6). A dry run only plans and takes no lock (readers never do).
 * <p>
 * Damaged point files cannot be listed, so they are never planned and never deleted (reported as warnings).
 * Deleting a point never breaks another one: every point is self-contained (FORMAT.md 5.2). Its blocks that no
 * other point references stay in their packs until compact reclaims them; verify reports them as reclaimable.
 * <p>
 * Immutability (FORMAT.md section 12): a point protected by {@code cairn immutable} is kept whatever the rules say,
 * with the reason {@code "protected until <time>"}; a real run first lifts protection that has expired (so those
 * points can go), and a point that turns out protected or unliftable at its deletion is kept with a warning, never a
 * failure half-way.
 * <p>
 * Crash tests can pause the process (see {@link DebugPause}) at {@code retention-before-delete} (plan made, lock
 * held, nothing deleted) and {@code retention-after-first-delete}.
 */
public final class RetentionJob {
    private final Repository repo;
    private final Consumer<String> warnings;

    public RetentionJob(final Repository repo, final Consumer<String> warnings) {
        this.repo = repo;
        this.warnings = warnings;
    }

    /**
     * @param disk   the disk whose points to consider, or null for every disk (rules apply per disk)
     * @param now    the time keep-days counts back from
     * @param dryRun plan only: delete nothing, take no lock
     * @throws io.cairn.format.RepositoryLockedException when another writer (a backup) holds the lock
     */
    public RetentionResult run(final String disk, final RetentionPolicy policy, final Instant now,
                               final boolean dryRun) throws IOException {
        if (disk != null) {
            Ids.requireDiskName(disk);
        }
        if (dryRun) {
            return new RetentionResult(plan(disk, policy, now, new HashMap<>()), true, 0);
        }
        try (RepositoryLock lock = repo.lockForWrite("retention")) {
            final int lifted = repo.immutability().liftExpired(Instant.now());
            if (lifted > 0) {
                warnings.accept("lifted expired immutability protection of " + lifted + " file(s)");
            }
            final Map<String, PointInfo> byId = new HashMap<>();
            final RetentionPlan plan = plan(disk, policy, now, byId);
            DebugPause.at("retention-before-delete");
            int deleted = 0;
            for (RetentionDecision d : plan.removed()) {
                try {
                    repo.deletePoint(byId.get(d.point().id()));
                    deleted++;
                } catch (NoSuchFileException e) {
                    warnings.accept("restore point " + d.point().id() + " was already gone");
                    continue;
                } catch (ProtectedException | ImmutableAttributeException e) {
                    warnings.accept("restore point " + d.point().id() + " kept: " + e.getMessage());
                    continue;
                }
                if (deleted == 1) {
                    DebugPause.at("retention-after-first-delete");
                }
            }
            return new RetentionResult(plan, false, deleted);
        }
    }

    private RetentionPlan plan(final String disk, final RetentionPolicy policy, final Instant now,
                               final Map<String, PointInfo> byId) throws IOException {
        if (disk != null && !repo.disks().contains(disk)) {
            throw new IllegalArgumentException("the repository has no restore points of disk '" + disk + "'");
        }
        final List<PointInfo> points = repo.listPoints(disk, e -> warnings.accept(
                "damaged restore point left alone (not counted by any rule): " + e.getMessage()));
        final List<RetentionCandidate> candidates = new ArrayList<>(points.size());
        for (PointInfo p : points) {
            byId.put(p.id(), p);
            candidates.add(new RetentionCandidate(p.id(), p.disk(), created(p)));
        }
        return keepProtected(RetentionPlanner.plan(candidates, policy, now), byId);
    }

    /** The plan with every point that is protected now kept, and the reason "protected until T" added. */
    private RetentionPlan keepProtected(final RetentionPlan plan, final Map<String, PointInfo> byId)
            throws IOException {
        final ImmutabilityRecord record = repo.immutability().record();
        if (record.untilSeconds().isEmpty()) {
            return plan;
        }
        final Instant now = Instant.now(); // protection follows the real clock, as deletePoint does
        final List<RetentionDecision> out = new ArrayList<>(plan.decisions().size());
        for (RetentionDecision d : plan.decisions()) {
            final String rel = ProtectedPaths.of(repo.dir(), byId.get(d.point().id()).path());
            if (rel == null || !record.isProtected(rel, now)) {
                out.add(d);
                continue;
            }
            final List<String> reasons = new ArrayList<>(d.keep() ? d.reasons() : List.of());
            reasons.add(PROTECTED_PREFIX + record.until(rel));
            out.add(new RetentionDecision(d.point(), true, reasons));
        }
        return new RetentionPlan(plan.policy(), out);
    }

    /** Start of the reason given to a point kept because it is protected: {@code "protected until <ISO time>"}. */
    public static final String PROTECTED_PREFIX = "protected until ";

    /** The manifest's created time; if it is missing or unreadable, the time in the UUIDv7 id (with a warning). */
    private Instant created(final PointInfo p) {
        final String text = p.manifest().get(Manifest.CREATED);
        if (text != null) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                // fall through
            }
        }
        final Instant fromId = timeOfId(p.id());
        warnings.accept("restore point " + p.id() + " has no readable created time ('" + text
                + "'); using the time in its id, " + fromId);
        return fromId;
    }

    /** The 48-bit Unix-millisecond timestamp at the start of a UUIDv7 (FORMAT.md section 3). */
    static Instant timeOfId(final String uuidV7) {
        final String hex = uuidV7.substring(0, 8) + uuidV7.substring(9, 13);
        return Instant.ofEpochMilli(Long.parseLong(hex, 16));
    }
}
