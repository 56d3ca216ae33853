package io.cairn.bench;

import io.cairn.nativeio.AlignedBuffers;
import io.cairn.nativeio.LinuxFile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * {@link LinuxFile#pread} with O_DIRECT of one block at a random block-aligned offset of a 1 GiB file, into a
 * 4096-aligned segment from {@link AlignedBuffers}: the engine's source read, at queue depth 1 (one thread, one
 * read in flight).
 * <p>
 * Queue depth 8 (several reads in flight, which is what a virtual disk needs to reach its bandwidth) needs
 * io_uring, which native-bindings does not bind yet; it is not measured here. Several threads each at depth 1
 * would approximate it ({@code -t 8}), at the cost of a thread per read.
 * <p>
 * The file is {@code cairn-bench-direct-read-<fileBytes>.bin} in {@code -Dcairn.bench.dir} (default
 * {@code java.io.tmpdir}: /tmp, on the root ext4 disk of this machine, not tmpfs). It is written once (random
 * content, fdatasync'd) and kept for later runs; delete it by hand to reclaim the space. The setup fails if the
 * file system refuses O_DIRECT, so a page-cache read can never pass for a disk read. On this VM the disk is
 * virtio, so the host's cache may still serve some reads.
 * <p>
 * Throughput: one op reads one block; the {@code pread:bytes} row is bytes/s (ops/s * blockSize).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_NIO_CH, JvmFlags.EXPORT_REF, JvmFlags.OPEN_REFLECT, JvmFlags.NO_CHRONICLE_ANALYTICS})
@State(Scope.Thread)
public class DirectReadBenchmark {
    @Param({"1048576"})
    int blockSize;

    @Param({"1073741824"})
    long fileBytes;

    private Arena arena;
    private LinuxFile file;
    private MemorySegment buffer;
    private long blocks;
    /** xorshift64 state; never 0. */
    private long random = 0x2545_F491_4F6C_DD1DL;

    /** Makes the file if needed, opens it with O_DIRECT and allocates the aligned buffer once. */
    @Setup
    public void setUp() throws IOException {
        if (blockSize % AlignedBuffers.ALIGNMENT != 0 || fileBytes % blockSize != 0) {
            throw new IllegalArgumentException("blockSize must be a multiple of 4096 and divide fileBytes");
        }
        arena = Arena.ofShared();
        buffer = AlignedBuffers.allocate(arena, blockSize);
        final Path dir = Path.of(System.getProperty("cairn.bench.dir", System.getProperty("java.io.tmpdir")));
        final Path path = dir.resolve("cairn-bench-direct-read-" + fileBytes + ".bin");
        if (!Files.isRegularFile(path) || Files.size(path) != fileBytes) {
            writeFile(path);
        }
        file = LinuxFile.openRead(path, true);
        if (!file.isDirect()) {
            throw new IllegalStateException("the file system refused O_DIRECT for " + path
                    + "; use -Dcairn.bench.dir=<directory on a disk file system>");
        }
        blocks = fileBytes / blockSize;
    }

    /** Closes the file (which is kept) and frees the buffer. */
    @TearDown
    public void tearDown() throws IOException {
        file.close();
        arena.close();
    }

    /** Reads one block at a random block-aligned offset. */
    @Benchmark
    public long pread(final ByteCounter counter) throws IOException {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        final long offset = Math.unsignedMultiplyHigh(x, blocks) * blockSize;
        final long n = file.pread(buffer, blockSize, offset);
        if (n != blockSize) {
            throw new IllegalStateException("short read: " + n + " bytes at offset " + offset);
        }
        counter.bytes += n;
        return buffer.get(ValueLayout.JAVA_LONG, 0);
    }

    /** Writes the file through the buffer in 1 MiB chunks, syncs it, and renames it into place. */
    private void writeFile(final Path path) throws IOException {
        final long chunk = Math.min(1 << 20, fileBytes);
        final MemorySegment data = AlignedBuffers.allocate(arena, chunk);
        BlockContent.RANDOM.fill(data, chunk, 7);
        final Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        System.out.printf("%nwriting %d bytes to %s%n", fileBytes, path);
        try (LinuxFile out = LinuxFile.openWrite(tmp, true, true)) {
            for (long offset = 0; offset < fileBytes; offset += chunk) {
                data.set(ValueLayout.JAVA_LONG, 0, offset); // every chunk differs
                out.writeFully(data, chunk, offset);
            }
            out.fdatasync();
            out.adviseDontNeed(0, 0);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
