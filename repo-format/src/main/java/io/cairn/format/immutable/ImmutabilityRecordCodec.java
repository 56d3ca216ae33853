package io.cairn.format.immutable;

import io.cairn.format.Checksums;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Durable;
import io.cairn.format.FormatTooNewException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * Reads and writes {@code REPO/immutability} (FORMAT.md section 12): UTF-8 lines, a header of
 * {@code format}, {@code version} and {@code policy_days}, one {@code protect=UNTIL PATH} line per protected file,
 * and a last {@code crc32c} line over all bytes before it (as the config file, section 3.2).
 * <p>
 * Decoding is strict (hostile input, section 3.1): length bounded, every line known, times and paths validated,
 * no duplicates, nothing after the CRC line. A damaged record is an error, never "no protection": callers that
 * delete fail closed.
 */
public final class ImmutabilityRecordCodec {
    public static final String FILE_NAME = "immutability";
    /** Temporary name in tmp/ while a new record is written. */
    public static final String TMP_NAME = "immutability.tmp";
    public static final int VERSION = 1;
    /** 64 MiB, about a million entries (a 64 TiB repository of 64 MiB packs). */
    static final int MAX_LENGTH = 64 << 20;
    private static final String FORMAT = "cairn-immutability";

    private ImmutabilityRecordCodec() {
    }

    /** The file's bytes. */
    public static byte[] encode(final ImmutabilityRecord r) {
        final StringBuilder sb = new StringBuilder(128 + r.untilSeconds().size() * 64);
        sb.append("# Cairn immutability record (repo-format/FORMAT.md section 12). Written by Cairn; do not edit.\n");
        sb.append("format=").append(FORMAT).append('\n');
        sb.append("version=").append(VERSION).append('\n');
        sb.append("policy_days=").append(r.policyDays()).append('\n');
        r.untilSeconds().forEach((path, until) -> sb.append("protect=").append(until).append(' ').append(path)
                .append('\n'));
        final byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        sb.append("crc32c=").append(String.format("%08x", Checksums.crc32c(body, 0, body.length))).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads REPO/immutability; {@link ImmutabilityRecord#EMPTY} when there is no such file. */
    public static ImmutabilityRecord read(final Path repoDir) throws IOException {
        final Path file = repoDir.resolve(FILE_NAME);
        final long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return ImmutabilityRecord.EMPTY;
        }
        if (size > MAX_LENGTH) {
            throw new CorruptRepositoryException(file, -1, "immutability record is " + size + " bytes, more than "
                    + MAX_LENGTH);
        }
        try {
            return decode(file, Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return ImmutabilityRecord.EMPTY;
        }
    }

    /** Writes the record durably: tmp/immutability.tmp, fsync, rename over REPO/immutability, fsync REPO. */
    public static void write(final Path repoDir, final Path tmpDir, final ImmutabilityRecord r) throws IOException {
        Durable.writeAtomically(tmpDir.resolve(TMP_NAME), repoDir.resolve(FILE_NAME), encode(r));
    }

    /** Parses and checks the bytes of {@code file}. */
    public static ImmutabilityRecord decode(final Path file, final byte[] bytes) throws IOException {
        if (bytes.length > MAX_LENGTH) {
            throw new CorruptRepositoryException(file, -1, "immutability record longer than " + MAX_LENGTH);
        }
        if (!isUtf8(bytes)) {
            throw new CorruptRepositoryException(file, -1, "immutability record is not UTF-8 text");
        }
        final String text = new String(bytes, StandardCharsets.UTF_8);
        if (!text.endsWith("\n")) {
            throw new CorruptRepositoryException(file, -1, "immutability record does not end with a newline"
                    + " (truncated?)");
        }
        String format = null;
        Long version = null;
        Long policy = null;
        String crc = null;
        int crcLineStart = -1;
        final TreeMap<String, Long> until = new TreeMap<>();
        int lineStart = 0;
        while (lineStart < text.length()) {
            final int end = text.indexOf('\n', lineStart);
            final String line = text.substring(lineStart, end);
            if (crc != null) {
                throw new CorruptRepositoryException(file, lineStart, "text after the crc32c line");
            }
            if (!line.startsWith("#")) {
                final int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new CorruptRepositoryException(file, lineStart, "line without key=value");
                }
                final String key = line.substring(0, eq);
                final String value = line.substring(eq + 1);
                switch (key) {
                    case "format" -> format = once(file, lineStart, key, format, value);
                    case "version" -> version = once(file, lineStart, key, version, number(file, lineStart, value,
                            Integer.MAX_VALUE));
                    case "policy_days" -> policy = once(file, lineStart, key, policy,
                            number(file, lineStart, value, ImmutabilityRecord.MAX_DAYS));
                    case "protect" -> protect(file, lineStart, value, until);
                    case "crc32c" -> {
                        crc = value;
                        crcLineStart = lineStart;
                    }
                    default -> throw new CorruptRepositoryException(file, lineStart, "unknown key '" + key + "'");
                }
            }
            lineStart = end + 1;
        }
        if (!FORMAT.equals(format)) {
            throw new CorruptRepositoryException(file, -1, "no 'format=" + FORMAT + "' line");
        }
        if (version == null) {
            throw new CorruptRepositoryException(file, -1, "no version line");
        }
        if (version > VERSION) {
            throw new FormatTooNewException(file, version.intValue(), VERSION);
        }
        if (version < 1) {
            throw new CorruptRepositoryException(file, -1, "version " + version + " is not valid");
        }
        if (crc == null) {
            throw new CorruptRepositoryException(file, -1, "no crc32c line");
        }
        final int covered = text.substring(0, crcLineStart).getBytes(StandardCharsets.UTF_8).length;
        final String actual = String.format("%08x", Checksums.crc32c(bytes, 0, covered));
        if (!actual.equals(crc)) {
            throw new CorruptRepositoryException(file, -1, "checksum mismatch: actual=" + actual + " expected=" + crc);
        }
        if (policy == null) {
            throw new CorruptRepositoryException(file, -1, "no policy_days line");
        }
        return new ImmutabilityRecord(policy.intValue(), until);
    }

    private static void protect(final Path file, final int at, final String value, final TreeMap<String, Long> until)
            throws CorruptRepositoryException {
        final int space = value.indexOf(' ');
        if (space <= 0) {
            throw new CorruptRepositoryException(file, at, "protect line is not 'UNTIL PATH'");
        }
        final long seconds = number(file, at, value.substring(0, space), ImmutabilityRecord.MAX_UNTIL_SECONDS);
        final String path = value.substring(space + 1);
        if (seconds == 0) {
            throw new CorruptRepositoryException(file, at, "protected-until time 0");
        }
        if (!ProtectedPaths.isValid(path)) {
            throw new CorruptRepositoryException(file, at, "not a sealed repository file: '" + path + "'");
        }
        if (until.put(path, seconds) != null) {
            throw new CorruptRepositoryException(file, at, "file named twice: " + path);
        }
    }

    /** A decimal number of at most 19 digits, no sign, in [0, max]. */
    private static long number(final Path file, final int at, final String s, final long max)
            throws CorruptRepositoryException {
        if (s.isEmpty() || s.length() > 19) {
            throw new CorruptRepositoryException(file, at, "not a number: '" + s + "'");
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw new CorruptRepositoryException(file, at, "not a number: '" + s + "'");
            }
        }
        final long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CorruptRepositoryException(file, at, "not a number: '" + s + "'");
        }
        if (v > max) {
            throw new CorruptRepositoryException(file, at, s + " is above the bound " + max);
        }
        return v;
    }

    private static <T> T once(final Path file, final int at, final String key, final T old, final T value)
            throws CorruptRepositoryException {
        if (old != null) {
            throw new CorruptRepositoryException(file, at, "'" + key + "' given twice");
        }
        return value;
    }

    private static boolean isUtf8(final byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
