package io.cairn.format.health;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.FormatFixtures;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The damaged-block ledger file (FORMAT.md section 11): encoding, bounds, merge, lock and atomic replacement. */
class DamageLedgerTest {
    private static final String PACK_A = "a".repeat(32);
    private static final String PACK_B = "0123456789abcdef0123456789abcdef";
    private static final String BLOCK = "99aa06d3014798d86001c324468d497f";
    private static final Instant FOUND = Instant.parse("2026-11-25T17:00:00.123Z");

    @TempDir
    Path dir;
    private Repository repo;

    @BeforeEach
    void createRepository() throws IOException {
        repo = Repository.init(dir.resolve("repo"), FormatFixtures.config());
    }

    private int add(final DamageLedger.Entry... entries) throws IOException {
        try (RepositoryLock ignored = repo.lockForWrite("test")) {
            return DamageLedger.add(repo, List.of(entries));
        }
    }

    @Test
    void shouldBeEmptyWhenNoLedgerFileExists() throws IOException {
        final DamageLedger l = DamageLedger.load(repo);
        assertTrue(l.isEmpty());
        assertFalse(l.contains(PACK_A, 64));
        assertNull(l.offsetsIn(PACK_A));
        assertFalse(Files.exists(repo.dir().resolve("health")));
    }

    @Test
    void shouldRoundTripEntriesWhenAdded() throws IOException {
        assertEquals(2, add(new DamageLedger.Entry(PACK_A, 5000, BLOCK, FOUND),
                new DamageLedger.Entry(PACK_A, 64, BLOCK, FOUND)));
        assertEquals(1, add(new DamageLedger.Entry(PACK_A, 64, BLOCK, FOUND.plusSeconds(9)),
                new DamageLedger.Entry(PACK_B, 64, BLOCK, FOUND)));

        final DamageLedger l = DamageLedger.load(repo);
        assertEquals(3, l.size());
        assertEquals(new DamageLedger.Entry(PACK_A, 5000, BLOCK, FOUND), l.entries().getFirst());
        assertEquals(FOUND, l.entries().get(1).found(), "an entry already listed keeps its first finding time");
        assertArrayEquals(new long[]{64, 5000}, l.offsetsIn(PACK_A));
        assertTrue(l.contains(PACK_B, 64));
        assertFalse(l.contains(PACK_B, 5000));
        assertEquals(List.of(), repo.tmpFiles(), "no tmp leftover after a write");
    }

    @Test
    void shouldWriteTheSpecifiedTextWhenEncoded() throws IOException {
        add(new DamageLedger.Entry(PACK_B, 1048680, BLOCK, FOUND));
        final String text = Files.readString(DamageLedger.path(repo));
        final String body = "# Cairn damaged-block ledger (repo-format/FORMAT.md section 11). Written by cairn verify.\n"
                + "format=cairn-damaged-blocks\nversion=1\n"
                + "damaged=" + PACK_B + " 1048680 " + BLOCK + " 2026-11-25T17:00:00.123Z\n";
        final byte[] b = body.getBytes(StandardCharsets.UTF_8);
        assertEquals(body + String.format("crc32c=%08x\n", FormatFixtures.crc32c(b, 0, b.length)), text);
    }

    @Test
    void shouldRejectFileWhenAnyByteIsFlipped() throws IOException {
        add(new DamageLedger.Entry(PACK_A, 64, BLOCK, FOUND));
        final Path file = DamageLedger.path(repo);
        final long size = Files.size(file);
        for (long off = 0; off < size; off += 7) {
            final byte[] original = Files.readAllBytes(file);
            FormatFixtures.flipByte(file, off, 0x01);
            final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                    () -> DamageLedger.load(repo), "flip at " + off);
            assertTrue(e.getMessage().contains("damaged-block ledger"), e.getMessage());
            Files.write(file, original);
        }
    }

    @Test
    void shouldRejectFileWhenTruncatedOrTooLarge() throws IOException {
        add(new DamageLedger.Entry(PACK_A, 64, BLOCK, FOUND));
        final Path file = DamageLedger.path(repo);
        final byte[] full = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(full, full.length - 5));
        assertThrows(CorruptRepositoryException.class, () -> DamageLedger.load(repo));
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), DamageLedger.MAX_LENGTH); // sparse, over the bound
        }
        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> DamageLedger.load(repo));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
    }

    @Test
    void shouldReplaceCorruptFileWhenAdding() throws IOException {
        add(new DamageLedger.Entry(PACK_A, 64, BLOCK, FOUND));
        FormatFixtures.flipByte(DamageLedger.path(repo), 100, 0x02);
        assertEquals(1, add(new DamageLedger.Entry(PACK_B, 64, BLOCK, FOUND)));
        final DamageLedger l = DamageLedger.load(repo);
        assertEquals(List.of(new DamageLedger.Entry(PACK_B, 64, BLOCK, FOUND)), l.entries());
    }

    @Test
    void shouldRefuseToAddWhenWriterLockNotHeld() throws IOException {
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> DamageLedger.add(repo,
                List.of(new DamageLedger.Entry(PACK_A, 64, BLOCK, FOUND))));
        assertTrue(e.getMessage().contains("writer lock"), e.getMessage());
        assertFalse(Files.exists(DamageLedger.path(repo)));
    }

    @Test
    void shouldRejectBadEntryFieldsWhenConstructed() {
        assertThrows(IllegalArgumentException.class, () -> new DamageLedger.Entry("ABC", 64, BLOCK, FOUND));
        assertThrows(IllegalArgumentException.class, () -> new DamageLedger.Entry(PACK_A, -1, BLOCK, FOUND));
        assertThrows(IllegalArgumentException.class,
                () -> new DamageLedger.Entry(PACK_A, 64, BLOCK.toUpperCase(java.util.Locale.ROOT), FOUND));
    }
}
