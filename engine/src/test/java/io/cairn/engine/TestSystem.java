package io.cairn.engine;

import io.cairn.nativeio.LinuxFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Helpers for engine tests that need root, external commands, loop devices or a look at a file's holes. */
public final class TestSystem {
    private TestSystem() {
    }

    /** True when the test JVM runs as uid 0 (/proc/self belongs to the process's user). */
    public static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (final IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** True when {@code command} is an executable in one of the usual directories or on PATH. */
    public static boolean hasCommand(final String command) {
        final String path = System.getenv().getOrDefault("PATH", "") + ":/sbin:/usr/sbin:/bin:/usr/bin";
        for (final String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command and returns its standard output; throws when it fails or takes more than 30 s. */
    public static String run(final String... command) throws IOException, InterruptedException {
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

    /**
     * Why loop devices cannot be used here, or null when they can: they need root, losetup(8) and a free device
     * ({@code losetup -f} answers). A test skips with this reason.
     */
    public static String loopDevicesUnavailable() {
        if (!isRoot()) {
            return "loop devices need root";
        }
        if (!hasCommand("losetup")) {
            return "loop devices need losetup(8), which is not installed";
        }
        try {
            run("losetup", "-f");
            return null;
        } catch (final IOException e) {
            return "no free loop device: " + e.getMessage();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while probing loop devices";
        }
    }

    /** Attaches {@code backing} to a free loop device and returns the device path; detach it in a finally. */
    public static Path attachLoop(final Path backing) throws IOException, InterruptedException {
        return Path.of(run("losetup", "-f", "--show", backing.toString()));
    }

    /** Detaches a loop device attached by {@link #attachLoop}. */
    public static void detachLoop(final Path device) throws IOException, InterruptedException {
        run("losetup", "-d", device.toString());
    }

    /** Bytes allocated on disk for a file, from {@code du --block-size=1} (less than its size when it has holes). */
    public static long allocatedBytes(final Path file) throws IOException, InterruptedException {
        final String out = run("du", "--block-size=1", file.toString());
        return Long.parseLong(out.split("\\s+")[0]);
    }

    /** True when [offset, offset + length) of the file lies entirely in a hole (SEEK_DATA skips past it). */
    public static boolean isHole(final Path file, final long offset, final long length) throws IOException {
        try (LinuxFile f = LinuxFile.openRead(file, false)) {
            final long data = f.seekData(offset);
            return data < 0 || data >= offset + length;
        }
    }
}
