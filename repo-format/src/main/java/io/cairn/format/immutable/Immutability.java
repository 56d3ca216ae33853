package io.cairn.format.immutable;

import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfigCodec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Immutability of one repository (FORMAT.md section 12): the record {@code REPO/immutability} says until when each
 * sealed file is protected and how long newly sealed files are protected (the policy); the file system's immutable
 * attribute enforces it against everyone, root's {@code rm} included.
 * <p>
 * Ordering rule: the record names a file <em>before</em> the attribute is set on it, and the attribute is cleared
 * <em>before</em> the record forgets the file. So a crash can leave a recorded file without the attribute (it is
 * re-flagged by the next {@code cairn immutable}, and Cairn's own deletes still refuse it), but never an immutable
 * file that no record names (nobody would know when to lift it).
 * <p>
 * Writers (publishing, {@link #protectAll}, {@link #liftExpired}) must hold the repository's writer lock, because they
 * read, change and rewrite the record. Readers ({@link #record}, {@link #status}) take no lock: the record is replaced
 * by an atomic rename. A damaged record is an error everywhere: deletes fail closed.
 */
public final class Immutability {
    /** Scratch file in tmp/ on which {@link #probe} tries the attribute. */
    public static final String PROBE_NAME = "immutability.probe";

    private final Repository repo;
    private final ImmutableAttribute attribute;
    /** The first UNSUPPORTED/NOT_PERMITTED seen while publishing: later publishes only record (the backup warned). */
    private volatile ImmutableAttributeException publishFailure;

    public Immutability(final Repository repo, final ImmutableAttribute attribute) {
        this.repo = repo;
        this.attribute = attribute;
    }

    /** The last record read or written by this instance, with the identity of the file it came from. */
    private volatile Cached cached;

    /**
     * The current record ({@link ImmutabilityRecord#EMPTY} when the repository has none). Parsed again only when the
     * file is another one (inode, size, or its last line, the CRC, differ): a backup publishes many packs and would
     * otherwise re-parse, for each, a record that only it writes (it holds the lock).
     */
    public ImmutabilityRecord record() throws IOException {
        final Cached c = cached;
        final Cached now = identify();
        if (now == null) {
            return ImmutabilityRecord.EMPTY;
        }
        if (c != null && c.sameFile(now)) {
            return c.record();
        }
        final ImmutabilityRecord r = ImmutabilityRecordCodec.read(repo.dir());
        cached = now.with(r);
        return r;
    }

    /** Writes the record durably and remembers it. */
    private void write(final ImmutabilityRecord r) throws IOException {
        ImmutabilityRecordCodec.write(repo.dir(), repo.tmpDir(), r);
        final Cached now = identify();
        cached = now == null ? null : now.with(r);
    }

    /** The record file's inode, size and last 16 bytes ({@code crc32c=xxxxxxxx\n} ends it), or null if absent. */
    private Cached identify() throws IOException {
        final Path file = repo.dir().resolve(ImmutabilityRecordCodec.FILE_NAME);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            final long size = ch.size();
            final ByteBuffer tail = ByteBuffer.allocate((int) Math.min(16, size));
            while (tail.hasRemaining() && ch.read(tail, size - tail.capacity() + tail.position()) > 0) {
                // read the last bytes
            }
            return new Cached(attrs.fileKey(), size, tail.array(), null);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    private record Cached(Object fileKey, long size, byte[] tail, ImmutabilityRecord record) {
        boolean sameFile(final Cached o) {
            return fileKey != null && fileKey.equals(o.fileKey) && size == o.size && Arrays.equals(tail, o.tail);
        }

        Cached with(final ImmutabilityRecord r) {
            return new Cached(fileKey, size, tail, r);
        }
    }

    /**
     * Tries the attribute on a scratch file in tmp/ (set, read back, clear, delete), so that a file system without
     * it or a process without CAP_LINUX_IMMUTABLE is found before anything is recorded. Writer lock required.
     *
     * @throws ImmutableAttributeException UNSUPPORTED or NOT_PERMITTED, with a message naming the repository
     */
    public void probe() throws IOException {
        final Path probe = repo.tmpDir().resolve(PROBE_NAME);
        if (Files.exists(probe)) {
            clearQuietly(probe); // left by a probe that was killed between set and clear
            Files.deleteIfExists(probe);
        }
        Files.write(probe, new byte[0]);
        try {
            attribute.set(probe, true);
            final boolean set = attribute.isSet(probe);
            attribute.set(probe, false);
            if (!set) {
                throw new ImmutableAttributeException(ImmutableAttributeException.Kind.UNSUPPORTED,
                        "the file system of " + repo.dir() + " accepted the immutable attribute but did not keep it",
                        null);
            }
        } catch (ImmutableAttributeException e) {
            throw switch (e.kind()) {
                case UNSUPPORTED -> new ImmutableAttributeException(e.kind(), "the file system of " + repo.dir()
                        + " does not support the immutable attribute (" + e.getMessage() + ")", e);
                case NOT_PERMITTED -> new ImmutableAttributeException(e.kind(), "setting the immutable attribute in "
                        + repo.dir() + " needs CAP_LINUX_IMMUTABLE (run as root): " + e.getMessage(), e);
                case RECORD_DAMAGED -> e;
            };
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Refuses to delete a protected file; lifts the attribute of a file whose protection has expired so that the
     * delete can go ahead (its record entry is dropped by the next {@link #liftExpired}). Files the record cannot
     * name (tmp files) pass. Writer lock required.
     *
     * @throws ProtectedException when the file is protected at {@code now}
     */
    public void requireDeletable(final Path file, final Instant now) throws IOException {
        final String rel = ProtectedPaths.of(repo.dir(), file);
        if (rel == null) {
            return;
        }
        final Instant until = record().until(rel);
        if (until == null) {
            if (hasAttribute(file)) {
                // the rename would fail with EPERM; say why instead (the record was removed or replaced by hand?)
                throw new ImmutableAttributeException(ImmutableAttributeException.Kind.NOT_PERMITTED, file
                        + " carries the immutable attribute but the immutability record does not name it; it was"
                        + " protected outside Cairn or the record was replaced. If it really should go: chattr -i "
                        + file, null);
            }
            return;
        }
        if (until.isAfter(now)) {
            throw new ProtectedException(file, until);
        }
        clearQuietly(file);
    }

    /**
     * Called by {@link Repository} before a sealed file is renamed to {@code target}: under a policy, records that the
     * file is protected for the policy's days from now (before the file appears, so it is never unrecorded).
     * A damaged record does not fail the publish: the file stays unprotected and {@link #publishFailure()} says why.
     * Writer lock required.
     *
     * @return true when the policy is on (the attribute is to be set by {@link #afterPublish})
     */
    public boolean beforePublish(final Path target) throws IOException {
        final ImmutabilityRecord r;
        try {
            r = record();
        } catch (io.cairn.format.CorruptRepositoryException e) {
            // a backup must not fail for this: the file goes unprotected, and the backup says so loudly
            if (publishFailure == null) {
                publishFailure = new ImmutableAttributeException(ImmutableAttributeException.Kind.RECORD_DAMAGED,
                        "the immutability record is damaged (" + e.getMessage() + "; cairn verify names it), so new"
                                + " files cannot be recorded as protected", e);
            }
            return false;
        }
        final Instant until = r.policyUntil(Instant.now());
        if (until == null) {
            return false;
        }
        write(r.extend(List.of(ProtectedPaths.require(relative(target))), until));
        return true;
    }

    /**
     * Sets the attribute on a file just published under the policy. A file system without the attribute or a process
     * without the capability does not fail the backup (the file stays recorded, so Cairn's own deletes still refuse
     * it): the first such failure is kept in {@link #publishFailure()} and later files are not tried.
     */
    public void afterPublish(final Path target) throws IOException {
        if (publishFailure != null) {
            return;
        }
        try {
            attribute.set(target, true);
        } catch (ImmutableAttributeException e) {
            publishFailure = e;
        }
    }

    /** Why published files did not get the attribute in this process, or null when all did. */
    public ImmutableAttributeException publishFailure() {
        return publishFailure;
    }

    /**
     * {@code cairn immutable --days N}: protects the config, every sealed pack and every point file until now + N days
     * (a later until already recorded stays), and makes N the policy for files sealed later. With N = 0 only the
     * policy is turned off; existing protection stays until it expires. Writer lock required; call {@link #probe}
     * first.
     */
    public ProtectResult protectAll(final int days, final Instant now) throws IOException {
        final ImmutabilityRecord before = record();
        if (days == 0) {
            write(before.withPolicy(0));
            return new ProtectResult(0, 0, 0, null);
        }
        final List<Path> packs = repo.packFiles();
        final List<Path> points = repo.pointFiles(null);
        final List<Path> files = new ArrayList<>(packs.size() + points.size() + 1);
        files.add(repo.dir().resolve(RepositoryConfigCodec.FILE_NAME));
        files.addAll(packs);
        files.addAll(points);
        final List<String> rel = new ArrayList<>(files.size());
        for (Path f : files) {
            rel.add(relative(f));
        }
        final ImmutabilityRecord after = before.withPolicy(days);
        final Instant until = after.policyUntil(now);
        write(after.extend(rel, until)); // record first
        for (Path f : files) {
            attribute.set(f, true);
        }
        return new ProtectResult(packs.size(), points.size(), files.size(), until);
    }

    /**
     * Lifts protection whose time has passed: clears the attribute of every recorded file whose until is not after
     * {@code now}, then drops those entries (and entries of files that are gone) from the record. Writer lock
     * required.
     *
     * @return how many entries were lifted
     */
    public int liftExpired(final Instant now) throws IOException {
        final ImmutabilityRecord r = record();
        final List<String> lifted = new ArrayList<>();
        for (Map.Entry<String, Long> e : r.untilSeconds().entrySet()) {
            if (e.getValue() > now.getEpochSecond()) {
                continue;
            }
            final Path file = repo.dir().resolve(e.getKey());
            if (Files.exists(file)) {
                clearQuietly(file);
            }
            lifted.add(e.getKey());
        }
        if (!lifted.isEmpty()) {
            write(r.without(lifted)); // attribute cleared first
        }
        return lifted.size();
    }

    /** What the record says at {@code now}, and how many protected files really carry the attribute. No lock. */
    public Status status(final Instant now) throws IOException {
        final ImmutabilityRecord r = record();
        int inForce = 0;
        int expired = 0;
        int unflagged = 0;
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        Boolean supported = null;
        for (Map.Entry<String, Long> e : r.untilSeconds().entrySet()) {
            if (e.getValue() <= now.getEpochSecond()) {
                expired++;
                continue;
            }
            inForce++;
            earliest = Math.min(earliest, e.getValue());
            latest = Math.max(latest, e.getValue());
            final Path file = repo.dir().resolve(e.getKey());
            try {
                if (!attribute.isSet(file)) {
                    unflagged++;
                }
                supported = Boolean.TRUE;
            } catch (ImmutableAttributeException x) {
                unflagged++;
                supported = x.kind() == ImmutableAttributeException.Kind.UNSUPPORTED ? Boolean.FALSE : supported;
            } catch (java.nio.file.NoSuchFileException gone) {
                unflagged++;
            }
        }
        if (supported == null) {
            try {
                attribute.isSet(repo.dir().resolve(RepositoryConfigCodec.FILE_NAME));
                supported = Boolean.TRUE;
            } catch (ImmutableAttributeException x) {
                supported = x.kind() != ImmutableAttributeException.Kind.UNSUPPORTED;
            }
        }
        return new Status(r.policyDays(), inForce, expired, unflagged,
                inForce == 0 ? null : Instant.ofEpochSecond(earliest),
                inForce == 0 ? null : Instant.ofEpochSecond(latest), supported);
    }

    private String relative(final Path file) {
        final String rel = ProtectedPaths.of(repo.dir(), file);
        if (rel == null) {
            throw new IllegalArgumentException("not a sealed file of " + repo.dir() + ": " + file);
        }
        return rel;
    }

    /** True when the attribute can be read and is set; false where it cannot be read (no support, no file). */
    private boolean hasAttribute(final Path file) throws IOException {
        try {
            return attribute.isSet(file);
        } catch (ImmutableAttributeException | java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    /** Clears the attribute; a file system without it has nothing to clear. NOT_PERMITTED and I/O errors throw. */
    private void clearQuietly(final Path file) throws IOException {
        try {
            attribute.set(file, false);
        } catch (ImmutableAttributeException e) {
            if (e.kind() != ImmutableAttributeException.Kind.UNSUPPORTED) {
                throw e;
            }
        }
    }

    /**
     * Outcome of {@link #protectAll}.
     *
     * @param packs  sealed packs protected
     * @param points point files protected
     * @param files  all files protected (packs, points and the config)
     * @param until  their protected-until time, or null when the policy was turned off
     */
    public record ProtectResult(int packs, int points, int files, Instant until) {
    }

    /**
     * What {@link #status} found.
     *
     * @param policyDays         days newly sealed files are protected; 0 = off
     * @param protectedFiles     files whose protection is in force
     * @param expiredFiles       entries whose time has passed, waiting for {@code --lift-expired}
     * @param unflaggedFiles     protected files that do not carry the attribute (file system without it, a crash
     *                           between record and attribute, or a file changed behind Cairn's back)
     * @param earliestUntil      the soonest end of protection in force, or null
     * @param latestUntil        the latest, or null
     * @param attributeSupported whether the repository's file system has the immutable attribute
     */
    public record Status(int policyDays, int protectedFiles, int expiredFiles, int unflaggedFiles,
                         Instant earliestUntil, Instant latestUntil, boolean attributeSupported) {
    }
}
