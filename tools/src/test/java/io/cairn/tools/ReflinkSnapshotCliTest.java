package io.cairn.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code cairn backup --snapshot reflink [--freeze MOUNTPOINT]} end to end: a real child JVM backing up an image
 * on a loop-mounted XFS and btrfs while this JVM keeps writing to it, and the refusal on ext4 (a loop-mounted one,
 * and the temporary directory when that is ext4 or tmpfs).
 */
class ReflinkSnapshotCliTest {
    private static final int PAGE = 4096;
    private static final int CHUNK = TestImages.MIB;
    private static final int CHUNKS = 32;

    @TempDir
    Path dir;

    private static String sh(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    private static boolean onPath(final String tool) {
        for (String p : (System.getenv().getOrDefault("PATH", "") + ":/sbin:/usr/sbin").split(":")) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, tool))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isRoot() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    /** Every page of generation gen holds gen in its first 4 bytes and (byte) gen elsewhere. */
    private static void fill(final ByteBuffer chunk, final int gen) {
        for (int page = 0; page < CHUNK; page += PAGE) {
            chunk.putInt(page, gen);
            for (int i = 4; i < PAGE; i++) {
                chunk.put(page + i, (byte) gen);
            }
        }
    }

    /** Asserts the file is one instant of the sequential writer (pages g+1 ... g+1, g ... g); returns g+1. */
    private static int assertOneInstant(final Path file) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        assertEquals((long) CHUNK * CHUNKS, bytes.length);
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        int previous = Integer.MAX_VALUE;
        for (int p = 0; p < bytes.length / PAGE; p++) {
            final int gen = b.getInt(p * PAGE);
            for (int i = 4; i < PAGE; i++) {
                assertEquals((byte) gen, bytes[p * PAGE + i], "torn page " + p);
            }
            assertTrue(gen <= previous, "page " + p + " (generation " + gen + ") is newer than the page before");
            previous = gen;
        }
        final int newest = b.getInt(0);
        assertTrue(newest - previous <= 1, "generations " + newest + ".." + previous + " in one image");
        return newest;
    }

    private static long snapshotFiles(final Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().contains(".cairn-snap-")).count();
        }
    }

    /** A test body that gets the mount point of a fresh file system. */
    private interface OnFs {
        void run(Path mnt) throws Exception;
    }

    private void onXfs(final OnFs body) throws Exception {
        onLoopFs("xfs", body);
    }

    /**
     * Runs body on a 1 GiB loop-mounted file system (xfs with reflink=1, btrfs, ext4), unmounted and detached
     * afterwards (root only).
     */
    private void onLoopFs(final String fs, final OnFs body) throws Exception {
        assumeTrue(isRoot(), "loop devices and mount need root");
        final String mkfs = "mkfs." + fs;
        assumeTrue(onPath(mkfs) && onPath("losetup"), "needs " + mkfs + " (xfsprogs, btrfs-progs, e2fsprogs) and "
                + "losetup");
        final Path fsImage = dir.resolve(fs + ".img");
        final Path mnt = Files.createDirectories(dir.resolve("mnt"));
        sh("truncate", "-s", "1G", fsImage.toString());
        switch (fs) {
            case "xfs" -> sh(mkfs, "-q", "-f", "-m", "reflink=1", fsImage.toString());
            case "btrfs" -> sh(mkfs, "-q", "-f", fsImage.toString());
            case "ext4" -> sh(mkfs, "-q", "-F", fsImage.toString());
            default -> throw new IllegalArgumentException(fs);
        }
        final String loop = sh("losetup", "--find", "--show", fsImage.toString());
        try {
            sh("mount", loop, mnt.toString());
            try {
                assertEquals(fs, Files.getFileStore(mnt).type(), "mounted file system type");
                body.run(mnt);
            } finally {
                sh("umount", mnt.toString());
            }
        } finally {
            sh("losetup", "-d", loop);
        }
    }

    @Test
    void shouldDeleteCloneWhenBackupIsTerminated() throws Exception {
        onXfs(mnt -> {
            final Path image = TestImages.mixed(mnt.resolve("disk.img"), 8L * TestImages.MIB, 11);
            final String repo = dir.resolve("repo").toString();
            assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
            try (CairnProcess.Running running = CairnProcess.cairn().env("CAIRN_DEBUG_PAUSE_AT", "before-point-publish")
                    .start("backup", "--repo", repo, "--disk", "vm", "--snapshot", "reflink", image.toString())) {
                running.awaitStderrLine("cairn-debug-paused:");
                assertEquals(1, snapshotFiles(mnt), "the clone exists while the backup runs");
                ProcessHandle.of(running.pid()).orElseThrow().destroy(); // SIGTERM
                final CairnProcess.Result r = running.await();
                assertEquals(128 + 15, r.exitCode(), r.describe());
            }
            assertEquals(0, snapshotFiles(mnt), "the shutdown hook deleted the clone");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs", "btrfs"})
    void shouldRestoreOneInstantWhenImageIsWrittenDuringSnapshotBackup(final String fs) throws Exception {
        onLoopFs(fs, mnt -> {
            final Path image = mnt.resolve("disk.img");
            final AtomicInteger generation = new AtomicInteger();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            Files.write(image, new byte[0]);
            final Thread writer = Thread.ofPlatform().start(() -> {
                final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
                try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
                    while (!stop.get()) {
                        fill(chunk, generation.incrementAndGet());
                        for (int c = 0; c < CHUNKS && !stop.get(); c++) {
                            chunk.clear();
                            ch.write(chunk, (long) c * CHUNK);
                        }
                    }
                } catch (final Throwable t) {
                    failure.set(t);
                }
            });
            final String repo = dir.resolve("repo").toString();
            final CairnProcess.Result backup;
            try {
                assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
                while (generation.get() < 3) {
                    Thread.onSpinWait();
                }
                backup = CairnProcess.exec("backup", "--repo", repo, "--disk", "vm", "--snapshot", "reflink",
                        image.toString());
            } finally {
                stop.set(true);
                writer.join();
            }
            assertNull(failure.get());
            assertEquals(0, backup.exitCode(), backup.describe());
            assertEquals(0, snapshotFiles(mnt), "the clone is deleted");
            final Path restored = dir.resolve("restored.img");
            final CairnProcess.Result restore = CairnProcess.exec("restore", "--repo", repo, "--disk", "vm",
                    "--to", restored.toString());
            assertEquals(0, restore.exitCode(), restore.describe());
            final int snapshotGeneration = assertOneInstant(restored);
            assertTrue(snapshotGeneration >= 3, "taken while the writer ran: generation " + snapshotGeneration);
            final CairnProcess.Result list = CairnProcess.exec("list", "--repo", repo, "--json");
            assertTrue(list.stdout().contains(image + " (reflink snapshot)"), list.describe());
        });
    }

    @Test
    void shouldFailWithOneLineAndLeaveNothingWhenALoopMountedExt4HasNoReflink() throws Exception {
        onLoopFs("ext4", mnt -> {
            final Path image = TestImages.mixed(mnt.resolve("disk.img"), 4L * TestImages.MIB, 7);
            final String repo = dir.resolve("repo").toString();
            assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
            final CairnProcess.Result r = CairnProcess.exec("backup", "--repo", repo, "--disk", "vm", "--snapshot",
                    "reflink", image.toString());
            assertEquals(Cairn.FAILED, r.exitCode(), r.describe());
            assertEquals(1, r.stderrLines().size(), r.describe());
            assertTrue(r.stderr().contains("does not support reflink"), r.describe());
            assertEquals(0, snapshotFiles(mnt), "no clone left behind");
            final CairnProcess.Result list = CairnProcess.exec("list", "--repo", repo, "--json");
            assertEquals(0, list.exitCode(), list.describe());
            assertTrue(!list.stdout().contains("\"vm\""), "no restore point: " + list.describe());
        });
    }

    @Test
    void shouldFailWithOneLineAndLeaveNothingWhenFileSystemHasNoReflink() throws Exception {
        final String type = Files.getFileStore(dir).type();
        assumeTrue(List.of("ext4", "ext3", "ext2", "tmpfs").contains(type),
                "the temporary directory is on " + type + ", which may support reflink");
        final Path image = TestImages.mixed(dir.resolve("disk.img"), 4L * TestImages.MIB, 7);
        final String repo = dir.resolve("repo").toString();
        assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
        final CairnProcess.Result r = CairnProcess.exec("backup", "--repo", repo, "--disk", "vm", "--snapshot",
                "reflink", image.toString());
        assertEquals(Cairn.FAILED, r.exitCode(), r.describe());
        assertEquals(1, r.stderrLines().size(), r.describe());
        assertTrue(r.stderr().contains("does not support reflink"), r.describe());
        assertEquals(0, snapshotFiles(dir), "no clone left behind");
        final CairnProcess.Result list = CairnProcess.exec("list", "--repo", repo, "--json");
        assertEquals(0, list.exitCode(), list.describe());
        assertTrue(!list.stdout().contains("\"vm\""), "no restore point: " + list.describe());
    }

    @Test
    void shouldRejectFreezeWhenSnapshotIsNotGiven() throws Exception {
        final Path image = TestImages.mixed(dir.resolve("disk.img"), TestImages.MIB, 8);
        final String repo = dir.resolve("repo").toString();
        assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
        final CairnProcess.Result r = CairnProcess.exec("backup", "--repo", repo, "--disk", "vm", "--freeze",
                dir.toString(), image.toString());
        assertEquals(Cairn.USAGE, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("--freeze MOUNTPOINT is valid only with --snapshot reflink"), r.describe());
    }

    @Test
    void shouldRejectUnknownSnapshotKindWhenGiven() throws Exception {
        final Path image = TestImages.mixed(dir.resolve("disk.img"), TestImages.MIB, 9);
        final String repo = dir.resolve("repo").toString();
        assertEquals(0, CairnProcess.exec("init", "--repo", repo).exitCode());
        final CairnProcess.Result r = CairnProcess.exec("backup", "--repo", repo, "--disk", "vm", "--snapshot",
                "lvm", image.toString());
        assertEquals(Cairn.USAGE, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("the only kind is 'reflink'"), r.describe());
    }
}
