package io.cairn.format;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The writer lock (FORMAT.md section 6): an exclusive fcntl lock on REPO/lock. The kernel releases it when the
 * holder dies (kill -9 included), so a stale lock is never obeyed; the file's text only names the holder.
 */
public final class RepositoryLock implements AutoCloseable {
    public static final String FILE_NAME = "lock";
    private final FileChannel channel;
    private final FileLock lock;

    private RepositoryLock(final FileChannel channel, final FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or throws RepositoryLockedException naming the live holder. */
    public static RepositoryLock acquire(final Path repo, final String command) throws IOException {
        final Path file = repo.resolve(FILE_NAME);
        final FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            final String holder = readHolder(ch);
            ch.close();
            throw new RepositoryLockedException(repo, holder);
        }
        final String text = "pid=" + ProcessHandle.current().pid() + "\nhost=" + host() + "\nstarted="
                + Instant.now() + "\ncommand=" + command + "\n";
        ch.truncate(0);
        Durable.writeFully(ch, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
        return new RepositoryLock(ch, l);
    }

    private static String readHolder(final FileChannel ch) {
        try {
            final ByteBuffer b = ByteBuffer.allocate(1024);
            ch.read(b, 0);
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim().replace('\n', ' ');
        } catch (IOException e) {
            return "unknown holder";
        }
    }

    private static String host() {
        final String name = ManagementFactory.getRuntimeMXBean().getName();
        final int at = name.indexOf('@');
        return at >= 0 ? name.substring(at + 1) : name;
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
