package io.cairn.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file system made on a sparse image file, attached to a loop device and mounted in a temporary directory
 * (root only). {@link #close()} unmounts and detaches, also after a failed test.
 */
final class LoopMount implements AutoCloseable {
    private final Path image;
    private final Path mountPoint;
    private String device;
    private boolean mounted;

    private LoopMount(final Path image, final Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** mkfs.xfs -m reflink=1 on a 1 GiB sparse file under {@code dir}, mounted at {@code dir/mnt}. */
    static LoopMount xfs(final Path dir) throws IOException, InterruptedException {
        return make(dir, "mkfs.xfs", "-q", "-f", "-m", "reflink=1");
    }

    /** mkfs.ext4 on a 1 GiB sparse file under {@code dir}, mounted at {@code dir/mnt}. */
    static LoopMount ext4(final Path dir) throws IOException, InterruptedException {
        return make(dir, "mkfs.ext4", "-q", "-F");
    }

    private static LoopMount make(final Path dir, final String... mkfs) throws IOException, InterruptedException {
        final LoopMount m = new LoopMount(dir.resolve("fs.img"), Files.createDirectories(dir.resolve("mnt")));
        try {
            TestSystem.run("truncate", "-s", "1G", m.image.toString());
            final String[] command = java.util.Arrays.copyOf(mkfs, mkfs.length + 1);
            command[mkfs.length] = m.image.toString();
            TestSystem.run(command);
            m.device = TestSystem.run("losetup", "--find", "--show", m.image.toString());
            TestSystem.run("mount", m.device, m.mountPoint.toString());
            m.mounted = true;
            return m;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    Path mountPoint() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (mounted) {
                try {
                    FileSystemControl.thaw(mountPoint);
                } catch (final NativeIOException notFrozen) {
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
