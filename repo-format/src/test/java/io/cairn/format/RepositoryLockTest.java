package io.cairn.format;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The writer lock, FORMAT.md 6: exclusive across processes, dropped by the kernel when its holder dies. */
class RepositoryLockTest {
    @TempDir
    Path repo;
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** Starts LockHolder in a new JVM and returns its first line of output ("locked" or "refused"). */
    private String startChild(final String mode) throws IOException {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), mode, repo.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(p);
        final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        return out.readLine();
    }

    @Test
    void shouldRefuseAcquireWhileOtherProcessHoldsAndAllowAfterKill9() throws Exception {
        assertEquals("locked", startChild("hold"));
        final RepositoryLockedException e = assertThrows(RepositoryLockedException.class,
                () -> RepositoryLock.acquire(repo, "test"));
        assertTrue(e.getMessage().contains("LockHolder hold"), "names the holder: " + e.getMessage());

        final Process holder = children.getFirst();
        holder.destroyForcibly(); // SIGKILL: no shutdown hook, no close(); only the kernel releases the lock
        holder.waitFor();
        try (RepositoryLock lock = RepositoryLock.acquire(repo, "after kill")) {
            assertTrue(Files.readString(repo.resolve("lock")).contains("command=after kill"));
        }
    }

    @Test
    void shouldThrowLockedWhenSecondAcquireInSameJvm() throws IOException {
        try (RepositoryLock lock = RepositoryLock.acquire(repo, "first")) {
            assertThrows(RepositoryLockedException.class, () -> RepositoryLock.acquire(repo, "second"));
        }
        try (RepositoryLock again = RepositoryLock.acquire(repo, "third")) {
            assertTrue(Files.readString(repo.resolve("lock")).contains("pid=" + ProcessHandle.current().pid()));
        }
    }

    @Test
    void shouldKeepHoldingWhenSecondAcquireInSameJvmFails() throws IOException {
        // POSIX fcntl locks belong to the process: closing any descriptor of the file drops them all. A refused
        // second acquire must not close a descriptor of the lock file while this JVM holds the lock.
        try (RepositoryLock lock = RepositoryLock.acquire(repo, "first")) {
            assertEquals("refused", startChild("try"));
            final RepositoryLockedException e = assertThrows(RepositoryLockedException.class,
                    () -> RepositoryLock.acquire(repo, "second"));
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            assertEquals("refused", startChild("try"));
        }
        assertEquals("locked", startChild("try"));
    }
}
