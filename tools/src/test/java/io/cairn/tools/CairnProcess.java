package io.cairn.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the real {@code cairn} command in a child JVM (the test classpath, main class {@link Cairn}) and captures
 * its stdout, stderr and exit code. {@link #run} waits for the exit; {@link #start} returns a {@link Running}
 * process that a test can watch (stderr lines, pid) and kill -9.
 * <p>
 * The child's environment is the test's minus CAIRN_DEBUG and CAIRN_DEBUG_PAUSE_AT (so errors come without stack
 * traces and nothing pauses unless a test asks), plus whatever {@link #env} adds.
 */
final class CairnProcess {
    /** The JVM flags every Cairn JVM gets (the parent pom's cairn.jvm.flags). */
    static final List<String> JVM_FLAGS = List.of(
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "-Djdk.util.jar.enableMultiRelease=false"); // zstd-jni's JNI binding, as the launcher runs it

    /** A guard against a hung child, not a performance bound: far above any run of these tests. */
    static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> wrapper = new ArrayList<>();
    private Path workDir;

    private CairnProcess() {
    }

    static CairnProcess cairn() {
        return new CairnProcess();
    }

    /** Runs {@code cairn args...} with default settings and waits for it. */
    static Result exec(final String... args) {
        return cairn().run(args);
    }

    /** Adds an environment variable for the child. */
    CairnProcess env(final String name, final String value) {
        env.put(name, value);
        return this;
    }

    /** Runs the child JVM under a wrapper command, e.g. {@code setpriv --bounding-set -linux_immutable --}. */
    CairnProcess under(final String... command) {
        wrapper.addAll(Arrays.asList(command));
        return this;
    }

    /** Runs the child in this working directory (default: the test's). */
    CairnProcess in(final Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Runs {@code cairn args...} and waits for it to exit. */
    Result run(final String... args) {
        try (Running r = start(args)) {
            return r.await();
        }
    }

    /** Starts {@code cairn args...} in the background. */
    Running start(final String... args) {
        final List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Cairn.class.getName());
        cmd.addAll(Arrays.asList(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("CAIRN_DEBUG");
        pb.environment().remove("CAIRN_DEBUG_PAUSE_AT");
        pb.environment().putAll(env);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        try {
            return new Running(List.of(args), pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd, e);
        }
    }

    /** A finished run. */
    record Result(List<String> args, int exitCode, String stdout, String stderr) {
        List<String> stdoutLines() {
            return lines(stdout);
        }

        List<String> stderrLines() {
            return lines(stderr);
        }

        /** The last line of stdout (where commands print ids), or "" when there is none. */
        String lastStdoutLine() {
            final List<String> l = stdoutLines();
            return l.isEmpty() ? "" : l.getLast();
        }

        /** For assertion messages: the command, its exit code and both outputs. */
        String describe() {
            return "cairn " + String.join(" ", args) + "\n  exit code: " + exitCode + "\n  stdout: " + stdout
                    + "\n  stderr: " + stderr;
        }

        private static List<String> lines(final String s) {
            if (s.isEmpty()) {
                return List.of();
            }
            return List.of((s.endsWith("\n") ? s.substring(0, s.length() - 1) : s).split("\n", -1));
        }
    }

    /** A child that is still running (or was): its output so far, its pid, kill -9. */
    static final class Running implements AutoCloseable {
        private final List<String> args;
        private final Process process;
        private final Collector out;
        private final Collector err;
        private final long startNs = System.nanoTime();

        private Running(final List<String> args, final Process process) {
            this.args = args;
            this.process = process;
            this.out = new Collector(process.getInputStream(), "stdout-" + process.pid());
            this.err = new Collector(process.getErrorStream(), "stderr-" + process.pid());
            try {
                process.getOutputStream().close(); // the child reads no stdin
            } catch (IOException ignored) {
                // nothing to close
            }
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /**
         * Blocks until stderr has a whole line starting with {@code prefix} and returns it. Fails (with the output)
         * when the process exits first or the guard timeout passes.
         */
        String awaitStderrLine(final String prefix) {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                for (String line : err.completeLines()) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                if (!process.isAlive()) {
                    final Result r = collect(exitCode());
                    for (String line : r.stderrLines()) {
                        if (line.startsWith(prefix)) {
                            return line;
                        }
                    }
                    fail("the process exited before printing '" + prefix + "'\n" + r.describe());
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    fail("no '" + prefix + "' line on stderr within " + TIMEOUT + "\n" + collect(-1).describe());
                }
                err.awaitMore(50);
            }
        }

        /** Sends SIGKILL (Process.destroyForcibly on Linux), waits for the death and returns what it printed. */
        Result kill9() {
            process.destroyForcibly();
            return await();
        }

        /** Waits for the exit (failing after the guard timeout) and returns the result. */
        Result await() {
            try {
                if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor();
                    fail("cairn did not finish within " + TIMEOUT + "\n" + collect(-1).describe());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IllegalStateException("interrupted", e);
            }
            return collect(process.exitValue());
        }

        private int exitCode() {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        private Result collect(final int code) {
            out.join();
            err.join();
            // In the test's output file (target/surefire-reports): what ran, how it ended and how long it took.
            System.out.printf("cairn %s -> exit %d in %d ms%n", String.join(" ", args), code,
                    (System.nanoTime() - startNs) / 1_000_000);
            return new Result(args, code, out.text(), err.text());
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                exitCode();
            }
        }
    }

    /** Drains one output stream on its own thread (a full pipe would block the child). */
    private static final class Collector {
        private final StringBuilder text = new StringBuilder();
        private final Thread thread;

        Collector(final InputStream in, final String name) {
            this.thread = Thread.ofPlatform().name("cairn-test-" + name).daemon().start(() -> drain(in));
        }

        private void drain(final InputStream in) {
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                final char[] buf = new char[8192];
                int n;
                while ((n = r.read(buf)) >= 0) {
                    synchronized (this) {
                        text.append(buf, 0, n);
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                synchronized (this) {
                    text.append("\n[test harness: reading the child's output failed: ").append(e).append("]\n");
                }
            }
        }

        synchronized String text() {
            return text.toString();
        }

        /** Lines that ended with a newline so far. */
        synchronized List<String> completeLines() {
            final int end = text.lastIndexOf("\n");
            if (end < 0) {
                return List.of();
            }
            return List.of(text.substring(0, end).split("\n", -1));
        }

        synchronized void awaitMore(final long millis) {
            try {
                wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void join() {
            try {
                if (!thread.join(TIMEOUT)) {
                    throw new IllegalStateException("the child's output stream did not close");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
