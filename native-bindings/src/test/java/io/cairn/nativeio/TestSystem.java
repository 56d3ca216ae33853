package io.cairn.nativeio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Helpers for tests that need root, external commands or a particular file system. */
final class TestSystem {
    private TestSystem() {
    }

    /** True when the test JVM runs as uid 0 (/proc/self belongs to the process's user). */
    static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (final IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** True when {@code command} is an executable in one of the usual directories or on PATH. */
    static boolean hasCommand(final String command) {
        final String path = System.getenv().getOrDefault("PATH", "") + ":/sbin:/usr/sbin:/bin:/usr/bin";
        for (final String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command, returning its standard output; throws when it fails or takes more than 30 s. */
    static String run(final String... command) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        final String text = new String(output, StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + text);
        }
        return text;
    }

    /** The file system type of the store holding {@code path}, e.g. "ext4" or "tmpfs". */
    static String fileSystemType(final Path path) throws IOException {
        return Files.getFileStore(path).type();
    }

    /** A recognisable byte for position {@code i} of a test file, so misplaced reads show up. */
    static byte patternByte(final long i) {
        return (byte) (i * 31 + (i >>> 12) * 7 + 1);
    }
}
