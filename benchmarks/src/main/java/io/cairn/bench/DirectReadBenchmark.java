package io.cairn.bench;

import io.cairn.nativeio.AlignedBuffers;
import io.cairn.nativeio.CompletionHandler;
import io.cairn.nativeio.IoUring;
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
 * O_DIRECT reads of one block at a random block-aligned offset of a 1 GiB file, into 4096-aligned segments from
 * {@link AlignedBuffers}: the engine's source read, at two queue depths ({@code queueDepth}):
 * <ul>
 *   <li>1: {@link LinuxFile#pread}, one thread, one read in flight (the synchronous fallback);</li>
 *   <li>8: {@link IoUring}, one thread keeping 8 reads in flight (what the reader agent does), one buffer per
 *   read; an op waits for at least one completion and refills the queue.</li>
 * </ul>
 * <p>
 * The file is {@code cairn-bench-direct-read-<fileBytes>.bin} in {@code -Dcairn.bench.dir} (default
 * {@code java.io.tmpdir}: /tmp, on the root ext4 disk of this machine, not tmpfs). It is written once (random
 * content, fdatasync'd) and kept for later runs; delete it by hand to reclaim the space. The setup fails if the
 * file system refuses O_DIRECT, so a page-cache read can never pass for a disk read. On this VM the disk is
 * virtio, so the host's cache may still serve some reads.
 * <p>
 * Throughput: the {@code read:bytes} row is bytes/s. At depth 1 one op reads one block; at depth 8 one op takes
 * one or more completions, so compare the bytes rows, not ops/s.
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

    /** 1 = pread; more = io_uring with that many reads in flight. */
    @Param({"1", "8"})
    int queueDepth;

    private Arena arena;
    private LinuxFile file;
    private MemorySegment buffer;
    private long blocks;
    /** xorshift64 state; never 0. */
    private long random = 0x2545_F491_4F6C_DD1DL;

    private IoUring ring;
    private MemorySegment[] buffers;
    /** Buffer indices with no read in flight; {@code freeCount} are valid. */
    private int[] free;
    private int freeCount;
    private final Completions completions = new Completions();

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
        if (queueDepth > 1) {
            ring = IoUring.open(queueDepth).orElseThrow(() -> new IllegalStateException(
                    "io_uring is not usable: " + IoUring.unavailableReason()));
            buffers = new MemorySegment[queueDepth];
            free = new int[queueDepth];
            for (int i = 0; i < queueDepth; i++) {
                buffers[i] = AlignedBuffers.allocate(arena, blockSize);
                free[freeCount++] = i;
            }
        }
    }

    /** Closes the file (which is kept) and frees the buffer. */
    @TearDown
    public void tearDown() throws IOException {
        if (ring != null) {
            ring.close();
        }
        file.close();
        arena.close();
    }

    /** Depth 1: reads one block at a random block-aligned offset. Depth 8: refills the queue, takes completions. */
    @Benchmark
    public long read(final ByteCounter counter) throws IOException {
        if (ring == null) {
            final long offset = nextOffset();
            final long n = file.pread(buffer, blockSize, offset);
            if (n != blockSize) {
                throw new IllegalStateException("short read: " + n + " bytes at offset " + offset);
            }
            counter.bytes += n;
            return buffer.get(ValueLayout.JAVA_LONG, 0);
        }
        while (freeCount > 0) {
            final int i = free[--freeCount];
            ring.submitRead(file.fd(), buffers[i], blockSize, nextOffset(), i);
        }
        ring.submit();
        completions.counter = counter;
        ring.waitCompletions(1, completions);
        return completions.last;
    }

    private long nextOffset() {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return Math.unsignedMultiplyHigh(x, blocks) * blockSize;
    }

    /** Counts completed bytes and frees the buffer; a class, not a capturing lambda, so reaping allocates nothing. */
    private final class Completions implements CompletionHandler {
        ByteCounter counter;
        long last;

        @Override
        public void onCompletion(final long userData, final int result) {
            if (result != blockSize) {
                throw new IllegalStateException("io_uring read returned " + result + " (negative: -errno)");
            }
            counter.bytes += result;
            last = buffers[(int) userData].get(ValueLayout.JAVA_LONG, 0);
            free[freeCount++] = (int) userData;
        }
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
