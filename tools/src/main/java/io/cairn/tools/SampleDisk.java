package io.cairn.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** Makes the quickstart's sample disk: an ext4 file system filled with files of this machine (mkfs.ext4 -d). */
final class SampleDisk {
    private static final List<String> CONTENT_DIRS = List.of("/usr/include", "/usr/share/doc", "/usr/share/man",
            "/etc");

    private SampleDisk() {
    }

    /** Creates image (sizeBytes) and returns a line describing what is in it. */
    static String create(final Path image, final long sizeBytes, final PrintStream err) throws IOException,
            InterruptedException {
        for (String dir : CONTENT_DIRS) {
            if (!Files.isDirectory(Path.of(dir))) {
                continue;
            }
            final Path mkfs = findMkfs();
            if (mkfs == null) {
                break;
            }
            Files.deleteIfExists(image);
            final Process p = new ProcessBuilder(mkfs.toString(), "-q", "-F", "-t", "ext4", "-d", dir, image.toString(),
                    (sizeBytes / 1024) + "k").redirectErrorStream(true).start();
            final String output = new String(p.getInputStream().readAllBytes());
            if (p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return "ext4 file system made by mkfs.ext4 -d " + dir;
            }
            err.println("  (mkfs.ext4 -d " + dir + " failed: " + output.strip().lines().findFirst().orElse("")
                    + "; trying another directory)");
        }
        synthetic(image, sizeBytes);
        return "synthetic image (mkfs.ext4 not available): text-like data in the first third, zeros after";
    }

    private static Path findMkfs() {
        for (String c : new String[]{"/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4", "/usr/bin/mkfs.ext4"}) {
            if (Files.isExecutable(Path.of(c))) {
                return Path.of(c);
            }
        }
        return null;
    }

    private static void synthetic(final Path image, final long size) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(42);
        final String[] words = {"block", "disk", "backup", "cairn", "restore", "point", "pack", "zstd", "hash", "\n"};
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            final ByteBuffer b = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < size / 3; pos += b.capacity()) {
                b.clear();
                while (b.remaining() > 16) {
                    b.put((words[rnd.nextInt(words.length)] + " ").getBytes());
                }
                b.flip();
                ch.write(b, pos);
            }
            ch.truncate(size);
            if (ch.size() < size) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    /** Overwrites {@code regions} random 64 KiB regions inside the first {@code span} bytes; returns bytes changed. */
    static long scribble(final Path image, final int regions, final long span, final long seed) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final byte[] data = new byte[64 * 1024];
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            for (int i = 0; i < regions; i++) {
                rnd.nextBytes(data);
                final long off = (rnd.nextLong(Math.max(1, span / data.length))) * data.length;
                ch.write(ByteBuffer.wrap(data), off);
            }
            ch.force(true);
        }
        return (long) regions * data.length;
    }

    /** Byte-compares two files; returns -1 when identical, else the first differing offset. */
    static long compare(final Path a, final Path b) throws IOException {
        try (FileChannel x = FileChannel.open(a); FileChannel y = FileChannel.open(b)) {
            if (x.size() != y.size()) {
                return Math.min(x.size(), y.size());
            }
            final ByteBuffer bx = ByteBuffer.allocateDirect(4 << 20);
            final ByteBuffer by = ByteBuffer.allocateDirect(4 << 20);
            long pos = 0;
            while (pos < x.size()) {
                bx.clear();
                by.clear();
                final int n = readFully(x, bx, pos);
                readFully(y, by, pos);
                bx.flip();
                by.flip();
                final int mm = bx.mismatch(by);
                if (mm >= 0) {
                    return pos + mm;
                }
                pos += n;
            }
            return -1;
        }
    }

    private static int readFully(final FileChannel ch, final ByteBuffer b, final long pos) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            final int n = ch.read(b, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
