package io.cairn.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config file, FORMAT.md 3.2: its text, its CRC line, versions and bounds. */
class RepositoryConfigCodecTest {
    @TempDir
    Path repo;

    /** The config's key=value body (no crc line) with one line replaced or added. */
    private static String body(final String from, final String to) {
        final String text = RepositoryConfigCodec.encode(FormatFixtures.config());
        final String body = text.substring(0, text.indexOf("crc32c="));
        assertTrue(from.isEmpty() || body.contains(from), from);
        return from.isEmpty() ? body + to : body.replace(from, to);
    }

    /** body + a correct crc32c line. */
    private static String withCrc(final String body) {
        final byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return body + String.format("crc32c=%08x\n", FormatFixtures.crc32c(b, 0, b.length));
    }

    private Path writeConfig(final String text) throws IOException {
        return writeConfig(text.getBytes(StandardCharsets.UTF_8));
    }

    private Path writeConfig(final byte[] bytes) throws IOException {
        return Files.write(repo.resolve("config"), bytes);
    }

    private void assertCorrupt(final String text) throws IOException {
        writeConfig(text);
        assertThrows(CorruptRepositoryException.class, () -> RepositoryConfigCodec.read(repo), text);
    }

    @Test
    void shouldDecodeEqualConfigWhenEncoded() throws IOException {
        final RepositoryConfig c = FormatFixtures.config();
        writeConfig(RepositoryConfigCodec.encode(c));
        assertEquals(c, RepositoryConfigCodec.read(repo));
        final RepositoryConfig none = new RepositoryConfig(1, FormatFixtures.REPOSITORY_ID,
                Instant.parse("2027-01-02T03:04:05Z"), 8 << 20, "xxh3-128", "none", 0, 1L << 30);
        writeConfig(RepositoryConfigCodec.encode(none));
        assertEquals(none, RepositoryConfigCodec.read(repo));
        final RepositoryConfig fresh = RepositoryConfig.create(1 << 20, "zstd", -7);
        writeConfig(RepositoryConfigCodec.encode(fresh));
        assertEquals(fresh, RepositoryConfigCodec.read(repo));
    }

    @Test
    void shouldWriteSpecKeysAndTrailingCrcLineWhenEncoded() {
        final String text = RepositoryConfigCodec.encode(FormatFixtures.config());
        final String expectedBody = """
                # Cairn repository configuration (repo-format/FORMAT.md section 3.2). Do not edit.
                format=cairn-repository
                version=1
                repository_id=0123456789abcdef0123456789abcdef
                created=2026-11-25T15:00:00Z
                block_size=65536
                block_id=xxh3-128
                compression=zstd:3
                pack_size=1048576
                """;
        assertEquals(withCrc(expectedBody), text);
        assertTrue(text.matches("(?s).*\ncrc32c=[0-9a-f]{8}\n"), text);
    }

    @Test
    void shouldThrowFormatTooNewNamingBothVersionsWhenVersionIsTwo() throws IOException {
        writeConfig(withCrc(body("version=1\n", "version=2\n")));
        final FormatTooNewException e = assertThrows(FormatTooNewException.class,
                () -> RepositoryConfigCodec.read(repo));
        assertTrue(e.getMessage().contains("version 2") && e.getMessage().contains("(1)"), e.getMessage());
    }

    @Test
    void shouldThrowNotARepositoryWhenConfigMissingOrDirectoryForeign() throws IOException {
        assertThrows(NotARepositoryException.class, () -> RepositoryConfigCodec.read(repo));
        Files.writeString(repo.resolve("notes.txt"), "hello");
        Files.createDirectories(repo.resolve("photos"));
        assertThrows(NotARepositoryException.class, () -> Repository.open(repo));
        assertThrows(NotARepositoryException.class, () -> Repository.open(repo.resolve("nonexistent")));
        assertThrows(NotARepositoryException.class, () -> Repository.open(repo.resolve("notes.txt")));
        writeConfig("[core]\nbare = false\n");
        assertThrows(NotARepositoryException.class, () -> Repository.open(repo));
    }

    @Test
    void shouldThrowCorruptWhenCrcMismatches() throws IOException {
        final String good = RepositoryConfigCodec.encode(FormatFixtures.config());
        assertCorrupt(good.replace("pack_size=1048576", "pack_size=2097152"));
        assertCorrupt(good.replaceAll("crc32c=([0-9a-f]{8})", "crc32c=00000000"));
        assertCorrupt(good.substring(0, good.indexOf("crc32c=")));
    }

    @Test
    void shouldThrowCorruptWhenUnknownKeyPresent() throws IOException {
        assertCorrupt(withCrc(body("", "encryption=aes\n")));
    }

    @Test
    void shouldThrowCorruptWhenBlockSizeNotAllowed() throws IOException {
        for (String bad : new String[]{"4096", "65537", "196608", "16777216", "-65536", "0", "1MiB", ""}) {
            assertCorrupt(withCrc(body("block_size=65536\n", "block_size=" + bad + "\n")));
        }
        writeConfig(withCrc(body("block_size=65536\n", "block_size=8388608\n")));
        assertEquals(8 << 20, RepositoryConfigCodec.read(repo).blockSize());
    }

    @Test
    void shouldThrowCorruptWhenOtherValuesOutOfBounds() throws IOException {
        assertCorrupt(withCrc(body("compression=zstd:3", "compression=lz4")));
        assertCorrupt(withCrc(body("compression=zstd:3", "compression=zstd:23")));
        assertCorrupt(withCrc(body("compression=zstd:3", "compression=zstd:x")));
        assertCorrupt(withCrc(body("pack_size=1048576", "pack_size=1048575")));
        assertCorrupt(withCrc(body("block_id=xxh3-128", "block_id=sha256")));
        assertCorrupt(withCrc(body("repository_id=0123456789abcdef0123456789abcdef", "repository_id=xyz")));
        assertCorrupt(withCrc(body("created=2026-11-25T15:00:00Z", "created=yesterday")));
        assertCorrupt(withCrc(body("version=1", "version=0")));
        assertCorrupt(withCrc(body("pack_size=1048576\n", "")));
        assertCorrupt(withCrc(body("", "no equals sign\n")));
    }

    @Test
    void shouldThrowCorruptWhenLinesFollowTheCrcLine() throws IOException {
        // the crc32c line is the last line: bytes after it are covered by no checksum
        final String good = RepositoryConfigCodec.encode(FormatFixtures.config());
        assertCorrupt(good + "block_size=131072\n");
        assertCorrupt(good + "# comment\n");
    }

    @Test
    void shouldThrowCorruptWhenConfigIsNotUtf8() throws IOException {
        final byte[] good = RepositoryConfigCodec.encode(FormatFixtures.config()).getBytes(StandardCharsets.UTF_8);
        final byte[] bad = new byte[good.length + 32];
        System.arraycopy(good, 0, bad, 32, good.length);
        bad[0] = '#';
        for (int i = 1; i < 31; i++) {
            bad[i] = (byte) 0xFF;
        }
        bad[31] = '\n';
        writeConfig(bad);
        assertThrows(CorruptRepositoryException.class, () -> RepositoryConfigCodec.read(repo));
    }

    @Test
    void shouldThrowCorruptWhenConfigLargerThan64KiB() throws IOException {
        final String good = RepositoryConfigCodec.encode(FormatFixtures.config());
        final String big = withCrc("#" + "x".repeat(64 * 1024) + "\n" + good.substring(0, good.indexOf("crc32c=")));
        writeConfig(big);
        final CorruptRepositoryException e = assertThrows(CorruptRepositoryException.class,
                () -> RepositoryConfigCodec.read(repo));
        assertTrue(e.getMessage().contains("65536"), e.getMessage());
    }

    @Test
    void shouldRejectInvalidValuesWhenConfigConstructed() {
        assertThrows(IllegalArgumentException.class, () -> RepositoryConfig.create(4096, "zstd", 3));
        assertThrows(IllegalArgumentException.class, () -> RepositoryConfig.create(1 << 20, "gzip", 3));
        assertThrows(IllegalArgumentException.class, () -> RepositoryConfig.create(1 << 20, "zstd", 23));
        final RepositoryConfig c = FormatFixtures.config();
        assertEquals("zstd:3", c.compressionSpec());
        assertArrayEquals(Hex.parse(FormatFixtures.REPOSITORY_ID, 16), c.repositoryIdBytes());
    }
}
