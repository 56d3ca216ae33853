package io.cairn.format.immutable;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The content of {@code REPO/immutability} (FORMAT.md section 12): the repository's policy (how many days a newly
 * sealed pack or point is protected; 0 = off) and, per protected file, the time until which it is protected.
 * <p>
 * Paths are relative to the repository directory with {@code /} separators ({@code packs/ab/ab..ef.pack},
 * {@code points/vm/0190...point}, {@code config}); times are whole seconds since the Unix epoch (UTC).
 * Protection only ever extends: {@link #extend} keeps the later of two times. An immutable value.
 *
 * @param policyDays   days a newly published file is protected for; 0 = no policy
 * @param untilSeconds protected-until time (epoch seconds) per relative path, sorted by path
 */
public record ImmutabilityRecord(int policyDays, Map<String, Long> untilSeconds) {
    /** The longest policy or protection period accepted (100 years), so that every until stays in year 9999. */
    public static final int MAX_DAYS = 36_500;
    /** The latest until accepted: 9999-12-31T23:59:59Z. */
    public static final long MAX_UNTIL_SECONDS = 253_402_300_799L;
    /** No record file: no policy, nothing protected. */
    public static final ImmutabilityRecord EMPTY = new ImmutabilityRecord(0, Map.of());

    public ImmutabilityRecord {
        if (policyDays < 0 || policyDays > MAX_DAYS) {
            throw new IllegalArgumentException("policy days must be from 0 to " + MAX_DAYS + ", not " + policyDays);
        }
        final TreeMap<String, Long> copy = new TreeMap<>();
        for (Map.Entry<String, Long> e : untilSeconds.entrySet()) {
            final long until = Objects.requireNonNull(e.getValue(), "until");
            if (until <= 0 || until > MAX_UNTIL_SECONDS) {
                throw new IllegalArgumentException("protected-until " + until + " of " + e.getKey()
                        + " is outside 1.." + MAX_UNTIL_SECONDS);
            }
            copy.put(ProtectedPaths.require(e.getKey()), until);
        }
        untilSeconds = Collections.unmodifiableMap(copy);
    }

    /** The protected-until time of a file (relative path), or null when the record does not name it. */
    public Instant until(final String relativePath) {
        final Long s = untilSeconds.get(relativePath);
        return s == null ? null : Instant.ofEpochSecond(s);
    }

    /** True when the file is protected at {@code now} (its until is later than now). */
    public boolean isProtected(final String relativePath, final Instant now) {
        final Long s = untilSeconds.get(relativePath);
        return s != null && s > now.getEpochSecond();
    }

    /** This record with another policy (protection of existing files is unchanged). */
    public ImmutabilityRecord withPolicy(final int days) {
        return new ImmutabilityRecord(days, untilSeconds);
    }

    /** This record with the files' until raised to {@code until} where it is earlier (never lowered). */
    public ImmutabilityRecord extend(final Iterable<String> relativePaths, final Instant until) {
        final TreeMap<String, Long> m = new TreeMap<>(untilSeconds);
        final long s = until.getEpochSecond();
        for (String p : relativePaths) {
            m.merge(p, s, Math::max);
        }
        return new ImmutabilityRecord(policyDays, m);
    }

    /** This record without the given files (their protection was lifted, or they are gone). */
    public ImmutabilityRecord without(final Iterable<String> relativePaths) {
        final TreeMap<String, Long> m = new TreeMap<>(untilSeconds);
        for (String p : relativePaths) {
            m.remove(p);
        }
        return new ImmutabilityRecord(policyDays, m);
    }

    /** The time a file published now is protected until under the policy, or null when the policy is off. */
    public Instant policyUntil(final Instant now) {
        return policyDays == 0 ? null : Instant.ofEpochSecond(now.getEpochSecond()).plusSeconds(policyDays * 86_400L);
    }
}
