package io.cairn.bench;

import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.pack.PackWriter;
import io.cairn.format.pack.SealedPack;
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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * {@link PackWriter#append} of records into a pack file, sealing the pack every {@code recordsPerPack} records and
 * starting the next one (the engine's PackSink rotates the same way, at 64 MiB by default = 256 records of
 * 256 KiB).
 * <p>
 * One op appends one record; every {@code recordsPerPack}-th op also seals the pack (footer, trailer, fdatasync,
 * re-read of the trailer), deletes it and begins the next, so the score is the amortised rate with one fdatasync
 * per pack. Appends themselves land in the page cache. The {@code append:bytes} row is stored bytes/s
 * (ops/s * recordBytes; the 48-byte record headers are not counted).
 * <p>
 * Allocation: with the default {@code storedBuffer=ARENA_SEGMENT} (what the engine passes), the JDK's gathering
 * {@code FileChannel.write(ByteBuffer[])} allocates a scope releaser ({@code IOUtil.Releaser}, {@code LinkedRunnable})
 * for each buffer that belongs to a memory session, on every append; begin and seal allocate too (channel, header,
 * trailer, re-read), amortised over the pack. {@code -p storedBuffer=ALLOCATE_DIRECT} isolates the first part.
 * <p>
 * The record is {@code FILESYSTEM} content stored raw, with its CRC32C computed once in setup (the caller computes
 * it in the engine, so it is not part of append). Ids change with every record. Files go to a fresh directory
 * under {@code -Dcairn.bench.dir} (default {@code java.io.tmpdir}, i.e. /tmp, which is on the root ext4 disk here,
 * not tmpfs), removed at the end.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_NIO_CH, JvmFlags.EXPORT_REF, JvmFlags.OPEN_REFLECT, JvmFlags.NO_CHRONICLE_ANALYTICS})
@State(Scope.Thread)
public class PackAppendBenchmark {
    @Param({"16", "256"})
    int recordsPerPack;

    @Param({"262144"})
    int recordBytes;

    /** Where the record's bytes live; the engine's BlockSlots use ARENA_SEGMENT. */
    @Param({"ARENA_SEGMENT"})
    StoredBuffer storedBuffer;

    /** The kinds of direct buffer a caller can pass to append. */
    public enum StoredBuffer {
        /** {@code MemorySegment.asByteBuffer()} of an Arena segment, as the engine does. */
        ARENA_SEGMENT,
        /**
         * {@code ByteBuffer.allocateDirect}: no memory session, so NIO's gathering write does not allocate the
         * per-buffer scope releasers it needs for session-backed buffers (run with {@code -p storedBuffer=...}).
         */
        ALLOCATE_DIRECT
    }

    private Arena arena;
    private Path dir;
    private Path packPath;
    private final byte[] packId = new byte[16];
    private PackWriter writer;
    private ByteBuffer stored;
    private int dataCrc;
    private long recordNo;
    private long packNo;

    /** Makes the record and the writer, and begins the first pack. */
    @Setup
    public void setUp() throws IOException {
        arena = Arena.ofShared();
        final MemorySegment record = arena.allocate(recordBytes, 4096);
        BlockContent.FILESYSTEM.fill(record, recordBytes, 42);
        if (storedBuffer == StoredBuffer.ARENA_SEGMENT) {
            stored = record.asByteBuffer();
        } else {
            stored = ByteBuffer.allocateDirect(recordBytes);
            stored.put(record.asByteBuffer()).flip();
        }
        final CRC32C crc = new CRC32C();
        crc.update(stored.duplicate());
        dataCrc = (int) crc.getValue();

        dir = Files.createTempDirectory(Path.of(System.getProperty("cairn.bench.dir",
                System.getProperty("java.io.tmpdir"))), "cairn-bench-pack-");
        packPath = dir.resolve("pack.tmp");
        final byte[] repositoryId = new byte[16];
        repositoryId[0] = 1;
        writer = new PackWriter(repositoryId, recordsPerPack);
        writer.begin(packPath, packId);
    }

    /** Aborts the open pack and removes the directory. */
    @TearDown
    public void tearDown() throws IOException {
        writer.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        arena.close();
    }

    /** Appends one record, first sealing and replacing the pack when it is full. */
    @Benchmark
    public long append(final ByteCounter counter) throws IOException {
        if (writer.isFull()) {
            rotate();
        }
        final long n = recordNo++;
        stored.rewind();
        counter.bytes += recordBytes;
        return writer.append(BlockIndexBenchmark.idHi(n), BlockIndexBenchmark.idLo(n), BlockRecordLayout.CODEC_RAW,
                recordBytes, stored, dataCrc);
    }

    /** The rare case: seal, delete (so the disk does not fill up), begin the next pack at the same path. */
    private void rotate() throws IOException {
        final SealedPack sealed = writer.seal();
        Files.delete(sealed.tmpPath());
        final long p = ++packNo;
        for (int i = 0; i < 8; i++) {
            packId[i] = (byte) (p >>> (8 * i));
        }
        writer.begin(packPath, packId);
    }
}
