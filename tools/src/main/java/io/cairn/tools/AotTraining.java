package io.cairn.tools;

import com.github.luben.zstd.util.Native;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The workload the {@code cairn} launcher runs once per build to write the JVM's AOT cache (JEP 483/514/515:
 * classes loaded and linked, lambdas resolved, method profiles), so that every later command starts sooner. Not a
 * command: the launcher runs {@code java -XX:AOTCacheOutput=FILE io.cairn.tools.AotTraining WORK_DIR [NATIVE_DIR]}
 * with the class path and flags of a real command, and this class drives the real commands in this one JVM
 * through {@link Cairn#run}: init, full and incremental backup (text and {@code --json}), list, restore, verify
 * ({@code --deep}, {@code --json}) and retention {@code --dry-run}, on a generated 64 MiB image with zero,
 * text-like, random and duplicate blocks and a hole. Everything it makes in WORK_DIR is deleted again.
 * <p>
 * With NATIVE_DIR it first copies zstd-jni's native library out of the jar into NATIVE_DIR, under the name zstd-jni's
 * {@code Native.load()} asks {@code System.loadLibrary} for before it falls back to extracting the library into a
 * temporary file on every start. Runs with NATIVE_DIR on {@code java.library.path} then link it in place; when the
 * file is missing or unusable, zstd-jni's own fallback applies, so a stale or absent copy never breaks a run.
 * <p>
 * Exit code 0 when every step succeeded, 1 otherwise (the launcher then does not install the cache).
 */
final class AotTraining {
    private static final int BLOCK = 1 << 20;
    private static final int DATA_BLOCKS = 48;
    private static final long IMAGE_SIZE = 64L * BLOCK;

    private AotTraining() {
    }

    public static void main(final String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: AotTraining WORK_DIR [NATIVE_DIR]");
            System.exit(Cairn.USAGE);
        }
        if (args.length == 2) {
            System.err.println("zstd native library: " + extractZstdLibrary(Path.of(args[1])));
        }
        final int code = train(Path.of(args[0]), System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /** Runs the workload in a fresh directory under workDir and deletes it; returns 0 when every step passed. */
    static int train(final Path workDir, final PrintStream out, final PrintStream err) throws IOException {
        final Path dir = Files.createTempDirectory(workDir, "train");
        try {
            final String repo = dir.resolve("repo").toString();
            final Path image = dir.resolve("disk.img");
            final Path restored = dir.resolve("restored.img");
            writeImage(image);
            final List<String[]> first = List.of(
                    new String[]{"--help"},
                    new String[]{"init", "--repo", repo},
                    new String[]{"backup", "--repo", repo, "--disk", "train", image.toString(), "--json"});
            final List<String[]> second = List.of(
                    new String[]{"backup", "--repo", repo, "--disk", "train", image.toString(), "--json"},
                    new String[]{"backup", "--repo", repo, "--disk", "train", image.toString()},
                    new String[]{"list", "--repo", repo},
                    new String[]{"list", "--repo", repo, "--disk", "train", "--json"},
                    new String[]{"restore", "--repo", repo, "--disk", "train", "--to", restored.toString()},
                    new String[]{"verify", "--repo", repo},
                    new String[]{"verify", "--repo", repo, "--deep", "--json"},
                    new String[]{"retention", "--repo", repo, "--keep-last", "1", "--dry-run", "--json"});
            int failures = run(first, out, err);
            SampleDisk.scribble(image, 12, (long) DATA_BLOCKS * BLOCK, 11);
            failures += run(second, out, err);
            final long mismatch = SampleDisk.compare(image, restored);
            if (mismatch >= 0) {
                err.println("training: restored image differs at offset " + mismatch);
                failures++;
            }
            err.println("training: " + (failures == 0 ? "all steps passed" : failures + " step(s) failed"));
            return failures == 0 ? Cairn.OK : Cairn.FAILED;
        } finally {
            deleteTree(dir);
        }
    }

    private static int run(final List<String[]> steps, final PrintStream out, final PrintStream err) {
        int failures = 0;
        for (String[] step : steps) {
            final int code = Cairn.run(step, out, err);
            if (code != Cairn.OK) {
                err.println("training: 'cairn " + String.join(" ", step) + "' exited " + code);
                failures++;
            }
        }
        return failures;
    }

    /**
     * A sparse image: per 8 blocks 2 zero, 2 text-like, 2 random, 1 duplicate of an earlier text block and 1 half
     * text, half zero; then a hole up to IMAGE_SIZE.
     */
    private static void writeImage(final Path image) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(7);
        final byte[] text = textBlock();
        final byte[] block = new byte[BLOCK];
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < DATA_BLOCKS; i++) {
                final long offset = (long) i * BLOCK;
                switch (i % 8) {
                    case 0, 1 -> {
                        continue; // zero blocks stay holes: the reader's SEEK_DATA/SEEK_HOLE path
                    }
                    case 2, 3, 6 -> System.arraycopy(text, 0, block, 0, BLOCK);
                    case 4, 5 -> rnd.nextBytes(block);
                    default -> {
                        Arrays.fill(block, (byte) 0);
                        System.arraycopy(text, 0, block, 0, BLOCK / 2);
                    }
                }
                if (i % 8 == 3) {
                    block[rnd.nextInt(BLOCK)] ^= 1; // text blocks differ from each other, block 6 repeats block 2
                }
                ch.write(ByteBuffer.wrap(block), offset);
            }
            ch.write(ByteBuffer.allocate(1), IMAGE_SIZE - 1);
        }
    }

    private static byte[] textBlock() {
        final SplittableRandom rnd = new SplittableRandom(3);
        final String[] words = {"block", "disk", "backup", "cairn", "restore", "point", "pack", "zstd", "\n"};
        final StringBuilder sb = new StringBuilder(BLOCK + 16);
        while (sb.length() < BLOCK) {
            sb.append(words[rnd.nextInt(words.length)]).append(' ');
        }
        final byte[] out = new byte[BLOCK];
        System.arraycopy(sb.toString().getBytes(StandardCharsets.US_ASCII), 0, out, 0, BLOCK);
        return out;
    }

    /**
     * Copies zstd-jni's Linux library for this architecture out of its jar to dir/libzstd-jni-VERSION.so (through a
     * temporary name and a rename, so a concurrent reader never sees half a file); returns what it did.
     */
    static String extractZstdLibrary(final Path dir) throws IOException {
        final String version = Native.class.getPackage().getImplementationVersion();
        final String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (version == null || !os.equals("linux")) {
            return "not extracted (zstd-jni version unknown or not Linux)";
        }
        final String name = "libzstd-jni-" + version + ".so";
        final String resource = "/linux/" + System.getProperty("os.arch") + "/" + name;
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "not extracted (no " + resource + " in the zstd-jni jar)";
            }
            Files.createDirectories(dir);
            final Path tmp = Files.createTempFile(dir, name, ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(in.readAllBytes()));
                    ch.force(true);
                }
                Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return dir.resolve(name).toString();
    }

    private static void deleteTree(final Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
