package io.cairn.format.immutable;

import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.FormatFixtures;
import io.cairn.format.FormatTooNewException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The immutability record, FORMAT.md 12.1: its text, CRC line, bounds and hostile input. */
class ImmutabilityRecordCodecTest {
    private static final String PACK = "packs/ab/ab0123456789abcdef0123456789abcd.pack";
    private static final String POINT = "points/vm-1/" + FormatFixtures.pointId(1_795_000_000_000L, 1) + ".point";
    private static final Path FILE = Path.of("repo", "immutability");

    @TempDir
    Path repo;

    private static ImmutabilityRecord sample() {
        return new ImmutabilityRecord(7, Map.of(PACK, 1_796_000_000L, POINT, 1_796_000_100L, "config", 1_796_000_000L));
    }

    /** body + a correct crc32c line. */
    private static byte[] withCrc(final String body) {
        final byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return (body + String.format("crc32c=%08x\n", FormatFixtures.crc32c(b, 0, b.length)))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String header(final String policy) {
        return "format=cairn-immutability\nversion=1\npolicy_days=" + policy + "\n";
    }

    @Test
    void shouldDecodeEqualRecordWhenEncoded() throws IOException {
        final ImmutabilityRecord r = sample();
        assertEquals(r, ImmutabilityRecordCodec.decode(FILE, ImmutabilityRecordCodec.encode(r)));
        assertEquals(ImmutabilityRecord.EMPTY,
                ImmutabilityRecordCodec.decode(FILE, ImmutabilityRecordCodec.encode(ImmutabilityRecord.EMPTY)));
    }

    @Test
    void shouldWriteSpecifiedTextWhenEncoded() {
        final String text = new String(ImmutabilityRecordCodec.encode(sample()), StandardCharsets.UTF_8);
        final String body = "# Cairn immutability record (repo-format/FORMAT.md section 12). Written by Cairn; do not"
                + " edit.\n" + header("7") + "protect=1796000000 config\nprotect=1796000000 " + PACK
                + "\nprotect=1796000100 " + POINT + "\n";
        assertEquals(new String(withCrc(body), StandardCharsets.UTF_8), text, "sorted by path, CRC line last");
    }

    @Test
    void shouldReadEmptyRecordWhenFileIsAbsentAndRoundTripWhenWritten() throws IOException {
        Files.createDirectories(repo.resolve("tmp"));
        assertSame(ImmutabilityRecord.EMPTY, ImmutabilityRecordCodec.read(repo));
        ImmutabilityRecordCodec.write(repo, repo.resolve("tmp"), sample());
        assertEquals(sample(), ImmutabilityRecordCodec.read(repo));
        assertFalse(Files.exists(repo.resolve("tmp").resolve(ImmutabilityRecordCodec.TMP_NAME)), "renamed away");
    }

    @Test
    void shouldReportChecksumMismatchWhenOneDigitChanges() {
        final byte[] b = ImmutabilityRecordCodec.encode(sample());
        final String text = new String(b, StandardCharsets.UTF_8).replace("protect=1796000100", "protect=1796000900");
        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> ImmutabilityRecordCodec.decode(FILE, text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "protect=1796000000 ../../etc/passwd\n",
        "protect=1796000000 /etc/passwd\n",
        "protect=1796000000 packs/ab/../../config\n",
        "protect=1796000000 packs/cd/ab0123456789abcdef0123456789abcd.pack\n",
        "protect=1796000000 packs/ab/AB0123456789abcdef0123456789abcd.pack\n",
        "protect=1796000000 points/vm/not-a-uuid.point\n",
        "protect=1796000000 points/../x/" + "01a21338-a4a8-7601-8000-601de7000001.point\n",
        "protect=1796000000 lock\n",
        "protect=1796000000 immutability\n",
        "protect=-5 config\n",
        "protect=+5 config\n",
        "protect=0 config\n",
        "protect=253402300800 config\n",
        "protect=99999999999999999999 config\n",
        "protect=1796000000\n",
        "protect=1796000000  config\n",
        "protect=1796000000 config\nprotect=1796000001 config\n",
        "policy_days=1\n",
        "colour=blue\n",
        "no equals sign\n",
    })
    void shouldRejectHostileLineWhenDecoding(final String line) {
        assertThrows(CorruptRepositoryException.class,
                () -> ImmutabilityRecordCodec.decode(FILE, withCrc(header("7") + line)), line);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "36501", "x", "", "1e3"})
    void shouldRejectPolicyOutOfBoundsWhenDecoding(final String days) {
        assertThrows(CorruptRepositoryException.class,
                () -> ImmutabilityRecordCodec.decode(FILE, withCrc(header(days))), days);
    }

    @Test
    void shouldRejectStructuralDamageWhenDecoding() {
        final byte[] good = ImmutabilityRecordCodec.encode(sample());
        final String text = new String(good, StandardCharsets.UTF_8);
        final List<byte[]> bad = List.of(
                text.substring(0, text.length() - 1).getBytes(StandardCharsets.UTF_8),       // no final newline
                (text + "protect=1796000000 config\n").getBytes(StandardCharsets.UTF_8),      // after the CRC line
                withCrc("version=1\npolicy_days=7\n"),                                        // no format line
                withCrc("format=cairn-immutability\npolicy_days=7\n"),                        // no version
                withCrc("format=cairn-immutability\nversion=1\n"),                            // no policy
                withCrc("format=cairn-immutability\nversion=0\npolicy_days=7\n"),
                header("7").getBytes(StandardCharsets.UTF_8),                                 // no CRC line
                new byte[]{'f', 'o', (byte) 0xC3, '\n'},                                      // not UTF-8
                new byte[0]);
        for (byte[] b : bad) {
            assertThrows(CorruptRepositoryException.class, () -> ImmutabilityRecordCodec.decode(FILE, b),
                    new String(b, StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldRefuseNewerVersionWhenDecoding() {
        final FormatTooNewException e = assertThrows(FormatTooNewException.class, () -> ImmutabilityRecordCodec
                .decode(FILE, withCrc("format=cairn-immutability\nversion=2\npolicy_days=7\n")));
        assertTrue(e.getMessage().contains("2"), e.getMessage());
    }

    @Test
    void shouldRefuseOversizedFileBeforeReadingIt() throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(repo.resolve(ImmutabilityRecordCodec.FILE_NAME),
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{'#'}), ImmutabilityRecordCodec.MAX_LENGTH); // sparse
        }
        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> ImmutabilityRecordCodec.read(repo));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
    }

    @Test
    void shouldOnlyExtendWhenProtectingAgain() {
        final ImmutabilityRecord r = sample();
        final ImmutabilityRecord sooner = r.extend(List.of(PACK, "config"), Instant.ofEpochSecond(1_795_000_000L));
        assertEquals(r.untilSeconds(), sooner.untilSeconds(), "an earlier time never shortens protection");
        final ImmutabilityRecord later = r.extend(List.of(PACK), Instant.ofEpochSecond(1_797_000_000L));
        assertEquals(Instant.ofEpochSecond(1_797_000_000L), later.until(PACK));
        assertEquals(r.until(POINT), later.until(POINT));
        assertTrue(later.isProtected(PACK, Instant.ofEpochSecond(1_796_999_999L)));
        assertFalse(later.isProtected(PACK, Instant.ofEpochSecond(1_797_000_000L)), "until is exclusive");
        assertNull(later.without(List.of(PACK)).until(PACK));
        assertEquals(7, later.policyDays());
        assertEquals(Instant.parse("2026-12-02T10:00:00Z"),
                r.policyUntil(Instant.parse("2026-11-25T10:00:00.999Z")), "whole seconds, now + 7 days");
        assertNull(r.withPolicy(0).policyUntil(Instant.now()));
        assertThrows(IllegalArgumentException.class, () -> r.withPolicy(ImmutabilityRecord.MAX_DAYS + 1));
        assertThrows(IllegalArgumentException.class, () -> r.extend(List.of("lock"), Instant.now()));
    }
}
