package io.cairn.format.immutable;

import io.cairn.format.FormatFixtures;
import io.cairn.format.FormatFixtures.Rec;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import io.cairn.format.verify.Finding;
import io.cairn.format.verify.RepositoryVerifier;
import io.cairn.format.verify.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the record alone enforces (repo-format has no native access, so here the attribute is
 * {@link ImmutableAttribute#UNAVAILABLE}; the attribute itself is tested end to end in tools' ImmutableCommandTest):
 * deletes of protected files are refused and say until when, expired ones go ahead, publishing under a policy records
 * the file before it appears, and a damaged record fails closed.
 */
class RepositoryImmutabilityTest {
    private static final long T0 = 1_795_000_000_000L;

    @TempDir
    Path root;

    private Repository repo;
    private PointInfo point;
    private Path pack;

    private void init() throws IOException {
        repo = Repository.init(root.resolve("repo"), FormatFixtures.config());
        pack = FormatFixtures.publishPack(repo, 1, List.of(Rec.raw(1, 10)));
        FormatFixtures.publishPoint(repo, "vm", FormatFixtures.pointId(T0, 1), new int[]{1});
        point = repo.listPoints("vm", e -> { }).getFirst();
    }

    private String rel(final Path file) {
        return ProtectedPaths.of(repo.dir(), file);
    }

    private void protect(final Path file, final Instant until) throws IOException {
        final ImmutabilityRecord r = ImmutabilityRecordCodec.read(repo.dir());
        ImmutabilityRecordCodec.write(repo.dir(), repo.tmpDir(), r.extend(List.of(rel(file)), until));
    }

    @Test
    void shouldRefuseDeletingProtectedPointAndSayUntilWhen() throws IOException {
        init();
        final Instant until = Instant.parse("2126-12-02T10:00:00Z");
        protect(point.path(), until);
        try (RepositoryLock ignored = repo.lockForWrite("test")) {
            final ProtectedException e = assertThrows(ProtectedException.class, () -> repo.deletePoint(point));
            assertTrue(e.getMessage().contains("protected until 2126-12-02T10:00:00Z"), e.getMessage());
            assertEquals(until, e.until());
            assertEquals(point.path(), e.path());
        }
        assertTrue(Files.exists(point.path()), "nothing changed");
        assertEquals(List.of(), repo.tmpFiles());
    }

    @Test
    void shouldRefuseDeletingProtectedPackButDeleteExpiredOne() throws IOException {
        init();
        protect(pack, Instant.now().plusSeconds(3600));
        try (RepositoryLock ignored = repo.lockForWrite("test")) {
            assertThrows(ProtectedException.class, () -> repo.deletePack(pack));
            assertTrue(Files.exists(pack));
        }
        ImmutabilityRecordCodec.write(repo.dir(), repo.tmpDir(), new ImmutabilityRecord(0,
                Map.of(rel(pack), Instant.now().minusSeconds(1).getEpochSecond())));
        try (RepositoryLock ignored = repo.lockForWrite("test")) {
            repo.deletePack(pack);
            repo.deletePoint(point);
        }
        assertFalse(Files.exists(pack));
        assertFalse(Files.exists(point.path()));
        assertEquals(List.of(), repo.tmpFiles(), "the .deleted files are unlinked");
        assertEquals(List.of(), repo.packFiles());
    }

    @Test
    void shouldRefuseDeletePackWithoutLockOrForForeignFile() throws IOException {
        init();
        assertThrows(IllegalStateException.class, () -> repo.deletePack(pack));
        try (RepositoryLock ignored = repo.lockForWrite("test")) {
            assertThrows(IllegalArgumentException.class, () -> repo.deletePack(point.path()));
            assertThrows(IllegalArgumentException.class,
                    () -> repo.deletePack(root.resolve(pack.getFileName().toString())));
            assertThrows(java.nio.file.NoSuchFileException.class,
                    () -> repo.deletePack(repo.packPath("ab0123456789abcdef0123456789abcd")));
        }
        assertTrue(Files.exists(pack));
    }

    @Test
    void shouldFailClosedWhenRecordIsDamaged() throws IOException {
        init();
        Files.writeString(repo.dir().resolve(ImmutabilityRecordCodec.FILE_NAME), "format=cairn-immutability\n");
        try (RepositoryLock ignored = repo.lockForWrite("test")) {
            assertThrows(io.cairn.format.CorruptRepositoryException.class, () -> repo.deletePoint(point));
            assertThrows(io.cairn.format.CorruptRepositoryException.class, () -> repo.deletePack(pack));
        }
        assertTrue(Files.exists(point.path()) && Files.exists(pack));
        // but publishing (a backup) goes on, unprotected, and says why
        final Repository reopened = Repository.open(repo.dir());
        final Path newPack = FormatFixtures.publishPack(reopened, 2, List.of(Rec.raw(2, 10)));
        assertTrue(Files.exists(newPack));
        assertEquals(ImmutableAttributeException.Kind.RECORD_DAMAGED, reopened.immutability().publishFailure().kind());
        assertEquals("format=cairn-immutability\n",
                Files.readString(repo.dir().resolve(ImmutabilityRecordCodec.FILE_NAME)), "the damaged record is kept");
    }

    @Test
    void verifyShouldReportDamagedRecordAsDamage() throws IOException {
        init();
        assertTrue(new RepositoryVerifier(repo, null, s -> { }).run().clean(), "no record is fine");
        protect(pack, Instant.now().plusSeconds(60));
        assertTrue(new RepositoryVerifier(repo, null, s -> { }).run().clean(), "a good record is fine");
        final Path file = repo.dir().resolve(ImmutabilityRecordCodec.FILE_NAME);
        final byte[] b = Files.readAllBytes(file);
        b[new String(b, java.nio.charset.StandardCharsets.UTF_8).indexOf("protect=") + 9] ^= 1; // a digit of until
        Files.write(file, b);
        final VerifyReport r = new RepositoryVerifier(repo, null, s -> { }).run();
        assertFalse(r.clean());
        assertTrue(r.findings().stream().anyMatch(f -> f instanceof Finding.DamagedFile d && d.path().equals(file)
                && d.detail().contains("checksum mismatch")), r.findings()::toString);
    }

    @Test
    void shouldRecordNewFilesForPolicyDaysWhenPublishedUnderPolicy() throws IOException {
        init();
        ImmutabilityRecordCodec.write(repo.dir(), repo.tmpDir(), new ImmutabilityRecord(3, Map.of()));
        final Repository reopened = Repository.open(repo.dir());
        final Instant before = Instant.now();
        final Path newPack = FormatFixtures.publishPack(reopened, 2, List.of(Rec.raw(2, 10)));
        final Path newPoint = FormatFixtures.publishPoint(reopened, "vm", FormatFixtures.pointId(T0 + 1, 2),
                new int[]{2});
        final ImmutabilityRecord r = ImmutabilityRecordCodec.read(repo.dir());
        for (Path p : List.of(newPack, newPoint)) {
            final Instant until = r.until(rel(p));
            assertNotNull(until, p.toString());
            assertTrue(!until.isBefore(before.plusSeconds(3 * 86_400L - 1))
                    && !until.isAfter(Instant.now().plusSeconds(3 * 86_400L)), until::toString);
        }
        assertEquals(2, r.untilSeconds().size(), "files published before the policy are not in it");
        final ImmutableAttributeException lost = reopened.immutability().publishFailure();
        assertNotNull(lost, "without the engine the attribute is unavailable, and that is remembered");
        assertEquals(ImmutableAttributeException.Kind.UNSUPPORTED, lost.kind());
    }

    @Test
    void shouldLiftExpiredEntriesAndDropEntriesOfMissingFiles() throws IOException {
        init();
        final long past = Instant.now().minusSeconds(60).getEpochSecond();
        final long future = Instant.now().plusSeconds(3600).getEpochSecond();
        ImmutabilityRecordCodec.write(repo.dir(), repo.tmpDir(), new ImmutabilityRecord(5, Map.of(
                rel(pack), past, rel(point.path()), future,
                "packs/ab/ab0123456789abcdef0123456789abcd.pack", past)));
        try (RepositoryLock ignored = repo.lockForWrite("test")) {
            assertEquals(2, repo.immutability().liftExpired(Instant.now()));
        }
        final ImmutabilityRecord r = ImmutabilityRecordCodec.read(repo.dir());
        assertEquals(Map.of(rel(point.path()), future), r.untilSeconds());
        assertEquals(5, r.policyDays(), "lifting keeps the policy");
        final Immutability.Status s = repo.immutability().status(Instant.now());
        assertEquals(1, s.protectedFiles());
        assertEquals(0, s.expiredFiles());
        assertEquals(Instant.ofEpochSecond(future), s.latestUntil());
        assertFalse(s.attributeSupported(), "no attribute implementation in repo-format alone");
    }
}
