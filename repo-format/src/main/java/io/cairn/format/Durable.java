package io.cairn.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Publishing files durably: write tmp, fsync, atomic rename, fsync the directory (FORMAT.md section 6). */
public final class Durable {
    private Durable() {
    }

    /** fsync a directory so that renames and creations inside it survive a crash. */
    public static void fsyncDirectory(final Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Atomically renames {@code from} to {@code to} (same file system) and fsyncs the target directory. */
    public static void publish(final Path from, final Path to) throws IOException {
        publish(from, to, null);
    }

    /**
     * As {@link #publish(Path, Path)}; crash tests can pause at {@code pauseAfterRename} (a {@link PausePoint}),
     * between the rename and the directory fsync.
     */
    public static void publish(final Path from, final Path to, final String pauseAfterRename) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically", e);
        }
        if (pauseAfterRename != null) {
            PausePoint.at(pauseAfterRename);
        }
        fsyncDirectory(to.toAbsolutePath().getParent()); // a bare file name has no parent of its own
    }

    /** Writes bytes to tmp, fsyncs, renames to target, fsyncs the directory. */
    public static void writeAtomically(final Path tmp, final Path target, final byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        publish(tmp, target);
    }

    /** Reads exactly dst.remaining() bytes at position, or throws a CorruptRepositoryException on a short file. */
    public static void readFully(final FileChannel ch, final ByteBuffer dst, final long position, final Path path)
            throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            final int n = ch.read(dst, pos);
            if (n < 0) {
                throw new CorruptRepositoryException(path, pos, "file ends early (truncated)");
            }
            pos += n;
        }
    }

    /** Writes all of src at position. */
    public static void writeFully(final FileChannel ch, final ByteBuffer src, final long position) throws IOException {
        long pos = position;
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
    }
}
