package io.cairn.engine.source.vhdx;

import io.cairn.engine.TestSystem;
import io.cairn.engine.source.BlockSource;
import io.cairn.nativeio.AlignedBuffers;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.cairn.engine.source.vhdx.VhdxLayout.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Test fixtures: qemu-img, raw images with known content, reading a whole source, patching files. */
public final class VhdxFixtures {
    public static final long MIB = VhdxLayout.MIB;

    private VhdxFixtures() {
    }

    /** Skips the test when qemu-img is not installed. */
    public static void assumeQemuImg() {
        assumeTrue(TestSystem.hasCommand("qemu-img"), "qemu-img is not installed (apt-get install qemu-utils)");
    }

    /** Runs qemu-img; fails with its output when it exits non-zero. */
    public static String qemuImg(final String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add("qemu-img");
        cmd.addAll(List.of(args));
        return TestSystem.run(cmd.toArray(String[]::new));
    }

    /** Exit code and output of qemu-img (for check/compare, whose exit code is the answer). */
    public static int qemuImgStatus(final StringBuilder output, final String... args) throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.add("qemu-img");
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        output.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return p.waitFor();
    }

    /**
     * A raw image of sizeMib MiB: pseudo-random data in the MiB ranges listed in dataMib, zeros elsewhere, and one
     * odd 512-byte sector inside otherwise zero MiB {@code sparseSectorMib} (when >= 0).
     */
    public static byte[] content(final int sizeMib, final int[] dataMib, final int sparseSectorMib, final long seed) {
        final byte[] b = new byte[Math.toIntExact(sizeMib * MIB)];
        final SplittableRandom r = new SplittableRandom(seed);
        for (int m : dataMib) {
            final byte[] chunk = new byte[(int) MIB];
            r.nextBytes(chunk);
            System.arraycopy(chunk, 0, b, (int) (m * MIB), chunk.length);
        }
        if (sparseSectorMib >= 0) {
            for (int i = 0; i < 512; i++) {
                b[(int) (sparseSectorMib * MIB) + 4096 + i] = (byte) (i | 1);
            }
        }
        return b;
    }

    public static Path writeRaw(final Path file, final byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return file;
    }

    /** Reads a whole source in reads of {@code chunk} bytes. */
    public static byte[] readAll(final BlockSource source, final int chunk) throws IOException {
        final byte[] out = new byte[Math.toIntExact(source.size())];
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment buf = AlignedBuffers.allocate(arena, chunk);
            for (long off = 0; off < out.length; off += chunk) {
                final int n = (int) Math.min(chunk, out.length - off);
                source.read(buf, off, n);
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, out, (int) off, n);
            }
        }
        return out;
    }

    /** Data extents [start, end) reported by nextData/nextHole. */
    public static List<long[]> extents(final BlockSource source) throws IOException {
        final List<long[]> out = new ArrayList<>();
        long off = 0;
        while (off < source.size()) {
            final long d = source.nextData(off);
            if (d < 0) {
                break;
            }
            final long h = source.nextHole(d);
            out.add(new long[]{d, h});
            off = h;
        }
        return out;
    }

    public static void writeAt(final Path file, final long offset, final ByteBuffer data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (data.hasRemaining()) {
                ch.write(data, offset + data.position());
            }
        }
    }

    public static MemorySegment readAt(final Path file, final long offset, final int length) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                // loop
            }
        }
        return MemorySegment.ofArray(b.array());
    }

    /** Overwrites a structure of the file and re-seals its CRC-32C (a header or region table copy). */
    public static void patchSealed(final Path file, final long offset, final int length,
                                   final java.util.function.Consumer<MemorySegment> change) throws IOException {
        final MemorySegment s = readAt(file, offset, length);
        change.accept(s);
        seal(s, length);
        writeAt(file, offset, s.asByteBuffer());
    }

    /** The current header's offset in a file that a reader accepts. */
    public static long currentHeaderOffset(final Path file) throws IOException {
        final MemorySegment h1 = readAt(file, HEADER1_OFFSET, 4096);
        final MemorySegment h2 = readAt(file, HEADER2_OFFSET, 4096);
        return Long.compareUnsigned(h2.get(U64, H_SEQUENCE), h1.get(U64, H_SEQUENCE)) > 0
                ? HEADER2_OFFSET : HEADER1_OFFSET;
    }

    /** Region table 1's entry for a region: {offset, length}. */
    public static long[] region(final Path file, final java.util.UUID id) throws IOException {
        final MemorySegment t = readAt(file, REGION1_OFFSET, (int) REGION_LENGTH);
        for (int i = 0; i < t.get(U32, R_COUNT); i++) {
            final long e = R_ENTRIES + i * R_ENTRY_LENGTH;
            if (guid(t, e).equals(id)) {
                return new long[]{t.get(U64, e + 16), t.get(U32, e + 24) & 0xFFFFFFFFL};
            }
        }
        throw new AssertionError("no region " + id);
    }

    /** UTF-16LE parent locator item with the given keys, as MS-VHDX 2.6.2.6 lays it out. */
    public static byte[] parentLocator(final Map<String, String> keys) {
        final ByteBuffer b = ByteBuffer.allocate(4096).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final MemorySegment s = MemorySegment.ofBuffer(b);
        putGuid(s, 0, VHDX_LOCATOR_TYPE);
        s.set(U16, 18, (short) keys.size());
        int strings = 20 + 12 * keys.size();
        int i = 0;
        for (Map.Entry<String, String> kv : keys.entrySet()) {
            final byte[] k = kv.getKey().getBytes(StandardCharsets.UTF_16LE);
            final byte[] v = kv.getValue().getBytes(StandardCharsets.UTF_16LE);
            final long e = 20 + 12L * i++;
            s.set(U32, e, strings);
            MemorySegment.copy(MemorySegment.ofArray(k), 0, s, strings, k.length);
            strings += k.length;
            s.set(U32, e + 4, strings);
            MemorySegment.copy(MemorySegment.ofArray(v), 0, s, strings, v.length);
            strings += v.length;
            s.set(U16, e + 8, (short) k.length);
            s.set(U16, e + 10, (short) v.length);
        }
        final byte[] out = new byte[strings];
        b.get(0, out);
        return out;
    }
}
