package io.cairn.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Reads and writes the config file (FORMAT.md section 3.2). */
public final class RepositoryConfigCodec {
    public static final String FILE_NAME = "config";
    static final int MAX_LENGTH = 64 * 1024;
    private static final Set<String> KEYS = Set.of("format", "version", "repository_id", "created", "block_size",
            "block_id", "compression", "pack_size", "crc32c");

    private RepositoryConfigCodec() {
    }

    /** The file's text: keys in spec order, then the crc32c line. */
    public static String encode(final RepositoryConfig c) {
        final StringBuilder sb = new StringBuilder();
        sb.append("# Cairn repository configuration (repo-format/FORMAT.md section 3.2). Do not edit.\n");
        sb.append("format=cairn-repository\n");
        sb.append("version=").append(c.version()).append('\n');
        sb.append("repository_id=").append(c.repositoryId()).append('\n');
        sb.append("created=").append(c.created()).append('\n');
        sb.append("block_size=").append(c.blockSize()).append('\n');
        sb.append("block_id=").append(c.blockIdAlgorithm()).append('\n');
        sb.append("compression=").append(c.compressionSpec()).append('\n');
        sb.append("pack_size=").append(c.packSize()).append('\n');
        final byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        sb.append("crc32c=").append(String.format("%08x", Checksums.crc32c(body, 0, body.length))).append('\n');
        return sb.toString();
    }

    /** Reads and validates REPO/config. */
    public static RepositoryConfig read(final Path repo) throws IOException {
        final Path file = repo.resolve(FILE_NAME);
        if (!Files.isDirectory(repo)) {
            throw new NotARepositoryException(repo, Files.exists(repo) ? "not a directory" : "no such directory");
        }
        final long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new NotARepositoryException(repo, "no config file");
        }
        if (size > MAX_LENGTH) {
            throw new CorruptRepositoryException(file, -1, "config is " + size + " bytes, more than " + MAX_LENGTH);
        }
        return decode(repo, file, Files.readAllBytes(file));
    }

    static RepositoryConfig decode(final Path repo, final Path file, final byte[] bytes) throws IOException {
        final String text = new String(bytes, StandardCharsets.UTF_8);
        final Map<String, String> kv = new LinkedHashMap<>();
        int lineStart = 0;
        int crcLineStart = -1;
        int afterCrcLine = -1;
        int badLineStart = -1;
        while (lineStart < text.length()) {
            int end = text.indexOf('\n', lineStart);
            if (end < 0) {
                end = text.length();
            }
            final String line = text.substring(lineStart, end);
            if (crcLineStart >= 0 && afterCrcLine < 0) {
                afterCrcLine = lineStart;
            }
            if (!line.isEmpty() && !line.startsWith("#")) {
                final int eq = line.indexOf('=');
                if (eq <= 0) {
                    badLineStart = badLineStart < 0 ? lineStart : badLineStart;
                } else {
                    final String key = line.substring(0, eq);
                    if (key.equals("crc32c")) {
                        crcLineStart = lineStart;
                        afterCrcLine = -1;
                    }
                    kv.put(key, line.substring(eq + 1));
                }
            }
            lineStart = end + 1;
        }
        // a file named config without our format line is someone else's file, not a damaged repository
        if (!"cairn-repository".equals(kv.get("format"))) {
            throw new NotARepositoryException(repo, "config has no 'format=cairn-repository' line");
        }
        final int version = intValue(file, kv, "version");
        if (version > RepositoryConfig.CURRENT_VERSION) {
            throw new FormatTooNewException(repo, version, RepositoryConfig.CURRENT_VERSION);
        }
        if (version < 1) {
            throw new CorruptRepositoryException(file, -1, "config version " + version + " is not valid");
        }
        if (!isUtf8(bytes)) {
            throw new CorruptRepositoryException(file, -1, "config is not UTF-8 text");
        }
        if (badLineStart >= 0) {
            throw new CorruptRepositoryException(file, badLineStart, "config line without key=value");
        }
        if (crcLineStart < 0) {
            throw new CorruptRepositoryException(file, -1, "config has no crc32c line");
        }
        if (afterCrcLine >= 0) {
            // the crc32c line is the last line (FORMAT.md 3.2): nothing after it is covered by the checksum
            throw new CorruptRepositoryException(file, afterCrcLine, "config has text after its crc32c line");
        }
        final int actual = Checksums.crc32c(bytes, 0, text.substring(0, crcLineStart).getBytes(
                StandardCharsets.UTF_8).length);
        final String expected = kv.get("crc32c");
        if (!String.format("%08x", actual).equals(expected)) {
            throw new CorruptRepositoryException(file, -1, "config checksum mismatch: actual="
                    + String.format("%08x", actual) + " expected=" + expected);
        }
        for (String key : kv.keySet()) {
            if (!KEYS.contains(key)) {
                throw new CorruptRepositoryException(file, -1, "unknown config key '" + key + "'");
            }
        }
        final String comp = require(file, kv, "compression");
        final String codec;
        int level = 0;
        if (comp.equals("none")) {
            codec = "none";
        } else if (comp.startsWith("zstd:")) {
            codec = "zstd";
            try {
                level = Integer.parseInt(comp.substring(5));
            } catch (NumberFormatException e) {
                throw new CorruptRepositoryException(file, -1, "bad compression '" + comp + "'");
            }
        } else {
            throw new CorruptRepositoryException(file, -1, "bad compression '" + comp + "'");
        }
        final String repoId = require(file, kv, "repository_id");
        if (!Hex.isHex(repoId, 16)) {
            throw new CorruptRepositoryException(file, -1, "bad repository_id '" + repoId + "'");
        }
        final Instant created;
        try {
            created = Instant.parse(require(file, kv, "created"));
        } catch (DateTimeParseException e) {
            throw new CorruptRepositoryException(file, -1, "bad created time");
        }
        try {
            return new RepositoryConfig(version, repoId, created, intValue(file, kv, "block_size"),
                    require(file, kv, "block_id"), codec, level, longValue(file, kv, "pack_size"));
        } catch (IllegalArgumentException e) {
            throw new CorruptRepositoryException(file, -1, e.getMessage());
        }
    }

    /** Strict UTF-8 check; after it, character offsets in the decoded text map back to byte offsets exactly. */
    private static boolean isUtf8(final byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String require(final Path file, final Map<String, String> kv, final String key)
            throws CorruptRepositoryException {
        final String v = kv.get(key);
        if (v == null) {
            throw new CorruptRepositoryException(file, -1, "config lacks '" + key + "'");
        }
        return v;
    }

    private static int intValue(final Path file, final Map<String, String> kv, final String key)
            throws CorruptRepositoryException {
        try {
            return Integer.parseInt(require(file, kv, key));
        } catch (NumberFormatException e) {
            throw new CorruptRepositoryException(file, -1, "config '" + key + "' is not a number");
        }
    }

    private static long longValue(final Path file, final Map<String, String> kv, final String key)
            throws CorruptRepositoryException {
        try {
            return Long.parseLong(require(file, kv, key));
        } catch (NumberFormatException e) {
            throw new CorruptRepositoryException(file, -1, "config '" + key + "' is not a number");
        }
    }
}
