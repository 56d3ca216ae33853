package io.cairn.engine.snapshot;

import io.cairn.engine.Backups;
import io.cairn.engine.TestSystem;
import io.cairn.engine.backup.BackupResult;
import io.cairn.format.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Reflink snapshots on real loop-mounted XFS and ext4 file systems (root only). */
class ReflinkSnapshotTest {
    private static final int PAGE = 4096;
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS = 32;

    @TempDir
    Path tmp;

    private static void assume(final String mkfs) {
        final String reason = LoopFileSystem.unavailable(mkfs);
        assumeTrue(reason == null, reason);
    }

    /** Every page of generation {@code gen} holds gen in its first 4 bytes and (byte) gen elsewhere. */
    private static void fillGeneration(final ByteBuffer chunk, final int gen) {
        chunk.clear();
        for (int page = 0; page < CHUNK; page += PAGE) {
            chunk.putInt(page, gen);
            for (int i = 4; i < PAGE; i++) {
                chunk.put(page + i, (byte) gen);
            }
        }
    }

    /** Writes generations 1, 2, ... sequentially over the whole image until stopped. */
    private static Thread startWriter(final Path image, final AtomicInteger generation, final AtomicBoolean stop,
                                      final AtomicReference<Throwable> failure) {
        return Thread.ofPlatform().name("image-writer").start(() -> {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
                while (!stop.get()) {
                    final int gen = generation.incrementAndGet();
                    fillGeneration(chunk, gen);
                    for (int c = 0; c < CHUNKS; c++) {
                        chunk.clear();
                        ch.write(chunk, (long) c * CHUNK);
                    }
                }
            } catch (final Throwable t) {
                failure.set(t);
            }
        });
    }

    /** The page generations of a file, checked to be one instant of the sequential writer: g+1 ... g+1, g ... g. */
    private static int[] assertOneInstant(final Path file) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        assertEquals((long) CHUNK * CHUNKS, bytes.length);
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        final int[] gens = new int[bytes.length / PAGE];
        for (int p = 0; p < gens.length; p++) {
            gens[p] = b.getInt(p * PAGE);
            for (int i = 4; i < PAGE; i++) {
                assertEquals((byte) gens[p], bytes[p * PAGE + i], "torn page " + p);
            }
        }
        final int newest = gens[0];
        final int oldest = gens[gens.length - 1];
        assertTrue(newest == oldest || newest == oldest + 1, "generations " + newest + ".." + oldest);
        for (int p = 1; p < gens.length; p++) {
            assertTrue(gens[p] <= gens[p - 1], "page " + p + " is newer than page " + (p - 1));
        }
        return gens;
    }

    private static Path writeImage(final Path image) throws IOException {
        final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        fillGeneration(chunk, 0);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int c = 0; c < CHUNKS; c++) {
                chunk.clear();
                ch.write(chunk, (long) c * CHUNK);
            }
        }
        return image;
    }

    private static long hiddenFiles(final Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(".cairn-snap-")).count();
        }
    }

    @Test
    void shouldCloneImageAndDeleteCloneWhenClosed() throws Exception {
        assume("mkfs.xfs");
        try (LoopFileSystem fs = LoopFileSystem.xfs(tmp)) {
            final Path image = writeImage(fs.mountPoint().resolve("disk.img"));
            final Path clone;
            try (ReflinkSnapshot snap = ReflinkSnapshot.take(image, null, null)) {
                clone = snap.clone();
                assertEquals(fs.mountPoint().resolve(".disk.img.cairn-snap-" + ProcessHandle.current().pid()), clone);
                assertArrayEquals(Files.readAllBytes(image), Files.readAllBytes(clone));
            }
            assertFalse(Files.exists(clone));
            assertEquals(0, hiddenFiles(fs.mountPoint()));
        }
    }

    @Test
    void shouldRestoreSnapshotTimeContentWhenImageIsWrittenDuringBackup() throws Exception {
        assume("mkfs.xfs");
        try (LoopFileSystem fs = LoopFileSystem.xfs(tmp)) {
            final Path image = writeImage(fs.mountPoint().resolve("disk.img"));
            final AtomicInteger generation = new AtomicInteger();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread writer = startWriter(image, generation, stop, failure);
            final Repository repo = Backups.init(tmp.resolve("repo"), 64 * 1024, "zstd");
            final Path restored = tmp.resolve("restored.img");
            final int[] snapshotGens;
            try {
                while (generation.get() < 3) {
                    Thread.onSpinWait();
                }
                try (ReflinkSnapshot snap = ReflinkSnapshot.take(image, null, null)) {
                    snapshotGens = assertOneInstant(snap.clone());
                    final int atSnapshot = generation.get();
                    final BackupResult r = Backups.backup(repo, "vm1", snap.clone());
                    // The writer went on over the whole image after the snapshot, while the backup read the clone.
                    while (generation.get() < atSnapshot + 2) {
                        Thread.onSpinWait();
                    }
                    Backups.restore(repo, "vm1", r.id(), restored);
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertNull(failure.get());
            assertArrayEquals(snapshotGens, assertOneInstant(restored));
            assertTrue(Arrays.stream(assertOneInstant(image)).min().orElseThrow() > snapshotGens[0],
                "the image moved on past the snapshot");
            assertEquals(0, hiddenFiles(fs.mountPoint()));
        }
    }

    @Test
    void shouldFreezeFileSystemInsideImageAndThawWhenCloned() throws Exception {
        assume("mkfs.xfs");
        assume("mkfs.ext4");
        try (LoopFileSystem outer = LoopFileSystem.xfs(tmp)) {
            final Path innerImage = outer.mountPoint().resolve("guest.img");
            try (LoopFileSystem inner = LoopFileSystem.make(innerImage, "64M", tmp.resolve("guest"), "mkfs.ext4",
                "-q", "-F")) {
                Files.write(inner.mountPoint().resolve("before"), new byte[] {1, 2, 3});
                final Path copy = tmp.resolve("guest-copy.img");
                try (ReflinkSnapshot snap = ReflinkSnapshot.take(innerImage, null, inner.mountPoint())) {
                    Files.copy(snap.clone(), copy);
                }
                // Thawed: the guest file system takes writes again.
                Files.write(inner.mountPoint().resolve("after"), new byte[] {4});
                assertArrayEquals(new byte[] {4}, Files.readAllBytes(inner.mountPoint().resolve("after")));
                // Frozen during the clone: the copy is a clean file system holding the file written before.
                TestSystem.run("e2fsck", "-fn", copy.toString());
                final String listing = TestSystem.run("debugfs", "-R", "ls -l /", copy.toString());
                assertTrue(listing.contains("before"), listing);
                assertEquals(0, hiddenFiles(outer.mountPoint()));
            }
        }
    }

    @Test
    void shouldRefuseFreezeWhenMountPointHoldsTheImage() throws Exception {
        assume("mkfs.xfs");
        try (LoopFileSystem fs = LoopFileSystem.xfs(tmp)) {
            final Path image = writeImage(fs.mountPoint().resolve("disk.img"));
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReflinkSnapshot.take(image, null, fs.mountPoint()));
            assertTrue(e.getMessage().contains("cannot take the clone"), e.getMessage());
            Files.write(fs.mountPoint().resolve("still-writable"), new byte[] {1});
            assertEquals(0, hiddenFiles(fs.mountPoint()));
        }
    }

    @Test
    void shouldSayNoReflinkAndLeaveNothingWhenFileSystemIsExt4() throws Exception {
        assume("mkfs.ext4");
        try (LoopFileSystem fs = LoopFileSystem.ext4(tmp)) {
            final Path image = writeImage(fs.mountPoint().resolve("disk.img"));
            final IOException e = assertThrows(IOException.class, () -> ReflinkSnapshot.take(image, null, null));
            assertTrue(e.getMessage().contains("does not support reflink"), e.getMessage());
            assertEquals(0, hiddenFiles(fs.mountPoint()));
        }
    }
}
