package io.cairn.format;

import java.nio.file.Path;

/**
 * Child-process main for RepositoryLockTest. {@code hold REPO}: takes the writer lock, prints "locked" and sleeps
 * until killed. {@code try REPO}: tries once and prints "locked" or "refused", then exits.
 */
public final class LockHolder {
    private LockHolder() {
    }

    public static void main(final String[] args) throws Exception {
        final Path repo = Path.of(args[1]);
        final RepositoryLock lock;
        try {
            lock = RepositoryLock.acquire(repo, "LockHolder " + args[0]);
        } catch (RepositoryLockedException e) {
            System.out.println("refused");
            return;
        }
        System.out.println("locked");
        System.out.flush();
        if (args[0].equals("hold")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        lock.close();
    }
}
