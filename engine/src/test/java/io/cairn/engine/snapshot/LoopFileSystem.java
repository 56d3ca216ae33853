package io.cairn.engine.snapshot;

import io.cairn.engine.TestSystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A file system made on a sparse image file, attached to a loop device and mounted at a directory (root only).
 * {@link #close()} unmounts and detaches, also after a failed test.
 */
final class LoopFileSystem implements AutoCloseable {
    private final Path image;
    private final Path mountPoint;
    private String device;
    private boolean mounted;

    private LoopFileSystem(final Path image, final Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** Why these tests cannot run here, or null when they can. */
    static String unavailable(final String mkfs) {
        final String loop = TestSystem.loopDevicesUnavailable();
        if (loop != null) {
            return loop;
        }
        return TestSystem.hasCommand(mkfs) ? null : "needs " + mkfs + " (apt-get install xfsprogs / e2fsprogs)";
    }

    /** {@code mkfs} (with its options) on a sparse {@code size} file {@code image}, mounted at {@code mountPoint}. */
    static LoopFileSystem make(final Path image, final String size, final Path mountPoint, final String... mkfs)
        throws IOException, InterruptedException {
        final LoopFileSystem fs = new LoopFileSystem(image, Files.createDirectories(mountPoint));
        try {
            TestSystem.run("truncate", "-s", size, image.toString());
            final List<String> command = new ArrayList<>(List.of(mkfs));
            command.add(image.toString());
            TestSystem.run(command.toArray(String[]::new));
            fs.device = TestSystem.run("losetup", "--find", "--show", image.toString());
            TestSystem.run("mount", fs.device, mountPoint.toString());
            fs.mounted = true;
            return fs;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    /** A 1 GiB XFS with reflink under {@code dir}. */
    static LoopFileSystem xfs(final Path dir) throws IOException, InterruptedException {
        return make(dir.resolve("xfs.img"), "1G", dir.resolve("xfs"), "mkfs.xfs", "-q", "-f", "-m", "reflink=1");
    }

    /** A 1 GiB ext4 (no reflink) under {@code dir}. */
    static LoopFileSystem ext4(final Path dir) throws IOException, InterruptedException {
        return make(dir.resolve("ext4.img"), "1G", dir.resolve("ext4"), "mkfs.ext4", "-q", "-F");
    }

    Path mountPoint() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (mounted) {
                try {
                    TestSystem.run("fsfreeze", "-u", mountPoint.toString());
                } catch (final IOException notFrozen) {
                    // expected: a passing test leaves it thawed
                }
                TestSystem.run("umount", mountPoint.toString());
                mounted = false;
            }
        } finally {
            if (device != null) {
                TestSystem.run("losetup", "-d", device);
                device = null;
            }
            Files.deleteIfExists(image);
        }
    }
}
