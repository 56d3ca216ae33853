package io.cairn.format;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The writer lock (FORMAT.md section 6): an exclusive fcntl lock on REPO/lock. The kernel releases it when the
 * holder dies (kill -9 included), so a stale lock is never obeyed; the file's text only names the holder.
 */
public final class RepositoryLock implements AutoCloseable {
    public static final String FILE_NAME = "lock";
    /**
     * Lock files held by this JVM. fcntl locks belong to the process, and closing any descriptor of the file drops
     * them all, so a second acquire in the same JVM must be refused here, before it opens (and closes) the file.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
    private final FileChannel channel;
    private final FileLock lock;
    private final Path key;
    private boolean closed;

    private RepositoryLock(final FileChannel channel, final FileLock lock, final Path key) {
        this.channel = channel;
        this.lock = lock;
        this.key = key;
    }

    /** Takes the lock or throws RepositoryLockedException naming the live holder. */
    public static RepositoryLock acquire(final Path repo, final String command) throws IOException {
        final Path file = repo.resolve(FILE_NAME);
        final Path key = repo.toRealPath().resolve(FILE_NAME);
        if (!HELD.add(key)) {
            throw new RepositoryLockedException(repo, "this process, pid " + ProcessHandle.current().pid());
        }
        try {
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
            try {
                ch.truncate(0);
                Durable.writeFully(ch, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new RepositoryLock(ch, l, key);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
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

    /**
     * The host name for the holder record. Read from the kernel on Linux: the management bean used before loaded
     * ~40 classes and resolved the name through InetAddress, 20-30 ms of every writing command's start.
     */
    private static String host() {
        try {
            final String name = Files.readString(KERNEL_HOSTNAME, StandardCharsets.US_ASCII).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            try {
                channel.close();
            } finally {
                HELD.remove(key);
            }
        }
    }
}
