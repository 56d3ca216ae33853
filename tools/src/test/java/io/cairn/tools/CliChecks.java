package io.cairn.tools;

import io.cairn.tools.CairnProcess.Result;
import io.cairn.tools.TestImages.Snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.cairn.tools.CairnProcess.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Steps and assertions the CLI tests share: each runs the real command and checks what it must. */
final class CliChecks {
    /** A class name like NullPointerException or OutOfMemoryError: users should read what went wrong instead. */
    private static final Pattern JAVA_THROWABLE = Pattern.compile("\\b[A-Z][A-Za-z]*(Exception|Error)\\b");

    private CliChecks() {
    }

    /** Asserts exit code 0. */
    /** What a process paused by CAIRN_DEBUG_PAUSE_AT prints on stderr before the pause point's name. */
    static final String PAUSED = "cairn-debug-paused: ";

    /**
     * Runs the CLI with {@code CAIRN_DEBUG_PAUSE_AT=pausePoint}, waits until it pauses there, and kills it with
     * SIGKILL (asserting the exit code of a killed process).
     */
    static void killAtPause(final String pausePoint, final String... args) {
        try (CairnProcess.Running running = CairnProcess.cairn().env("CAIRN_DEBUG_PAUSE_AT", pausePoint).start(args)) {
            assertEquals(PAUSED + pausePoint, running.awaitStderrLine(PAUSED));
            final Result killed = running.kill9();
            assertEquals(KillScenario.KILLED, killed.exitCode(), killed::describe);
        }
    }

    static Result assertOk(final Result r) {
        assertEquals(Cairn.OK, r.exitCode(), () -> "expected success\n" + r.describe());
        return r;
    }

    /**
     * The contract of every failure: the exit code, exactly one stderr line that starts with "cairn" and carries no
     * stack trace, and that line mentions each of {@code needles} (case-insensitive).
     */
    static String assertOneErrorLine(final Result r, final int exitCode, final String... needles) {
        assertEquals(exitCode, r.exitCode(), () -> "exit code\n" + r.describe());
        final List<String> lines = r.stderrLines();
        assertEquals(1, lines.size(), () -> "stderr must be exactly one line\n" + r.describe());
        final String line = lines.getFirst();
        assertTrue(line.startsWith("cairn"), () -> "the error line must start with 'cairn'\n" + r.describe());
        assertFalse(JAVA_THROWABLE.matcher(line).find(),
                () -> "a Java exception class leaked into the error\n" + r.describe());
        for (String n : needles) {
            assertTrue(line.toLowerCase(Locale.ROOT).contains(n.toLowerCase(Locale.ROOT)),
                    () -> "the error should mention '" + n + "'\n" + r.describe());
        }
        return line;
    }

    static void init(final Path repo, final String... extra) {
        final String[] args = Stream.concat(Stream.of("init", "--repo", repo.toString()), Stream.of(extra))
                .toArray(String[]::new);
        assertOk(exec(args));
    }

    /** Backs up an image and returns the new restore point's id (stdout's last line). */
    static String backup(final Path repo, final String disk, final Path image) {
        final Result r = assertOk(exec("backup", "--repo", repo.toString(), "--disk", disk, image.toString()));
        final String id = r.lastStdoutLine();
        assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"),
                () -> "stdout's last line should be a UUIDv7 point id\n" + r.describe());
        return id;
    }

    /** Restores a point to a fresh file and asserts it is bit-exact. */
    static void assertRestores(final Path repo, final String disk, final String point, final Snapshot expected,
                               final Path to) throws IOException {
        assertOk(exec("restore", "--repo", repo.toString(), "--disk", disk, "--point", point, "--to", to.toString()));
        TestImages.assertRestored(expected, to);
        Files.delete(to);
    }

    /** list --json: the restore points, in the CLI's order (newest last). */
    static List<Map<String, Object>> listPoints(final Path repo) {
        final Result r = assertOk(exec("list", "--repo", repo.toString(), "--json"));
        return MiniJson.arrayOfObjects(r.stdout());
    }

    /** verify must pass (exit 0, "OK" in its summary). */
    static Result assertVerifyClean(final Path repo, final String... extra) {
        final String[] args = Stream.concat(Stream.of("verify", "--repo", repo.toString()), Stream.of(extra))
                .toArray(String[]::new);
        final Result r = assertOk(exec(args));
        assertTrue(r.stderr().contains(": OK:"), () -> "verify summary should say OK\n" + r.describe());
        return r;
    }

    /**
     * verify must find damage: exit 1, stdout names the damaged restore point, and stderr is exactly its one summary
     * line (no stack trace).
     */
    static Result assertVerifyNamesDamagedPoint(final Path repo, final String pointId, final String... extra) {
        final String[] args = Stream.concat(Stream.of("verify", "--repo", repo.toString()), Stream.of(extra))
                .toArray(String[]::new);
        final Result r = exec(args);
        assertEquals(Cairn.FAILED, r.exitCode(), () -> "verify should fail on damage\n" + r.describe());
        assertTrue(r.stdoutLines().stream().anyMatch(l -> l.startsWith("damaged restore point " + pointId)),
                () -> "verify should name damaged point " + pointId + "\n" + r.describe());
        assertEquals(1, r.stderrLines().size(), () -> "stderr: only the summary line\n" + r.describe());
        assertTrue(r.stderr().contains("DAMAGE FOUND") && !r.stderr().contains("\tat "),
                () -> "summary should say DAMAGE FOUND\n" + r.describe());
        return r;
    }

    /** All files below dir, relative to it (a picture of a repository to compare before and after). */
    static TreeSet<String> files(final Path dir) throws IOException {
        final TreeSet<String> out = new TreeSet<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(dir.relativize(p).toString()));
        }
        return out;
    }

    /** Copies a directory tree (a prepared repository) to a new place. */
    static void copyTree(final Path from, final Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                final Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
