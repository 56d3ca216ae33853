package io.cairn.engine.codec;

import io.cairn.format.index.BlockId;
import io.cairn.nativeio.XxHash3;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native implementation (libxxhash) gives the same block ids as the Java one, over every XXH3 code path, at
 * odd addresses, for random contents (fixed seed); the default picks native here, the system property forces Java
 * with identical ids, and so does a host where the library cannot be loaded; and native hashing allocates nothing
 * per block once compiled.
 */
class BlockHasherNativeTest {
    private static final int MIB = 1 << 20;
    /** Crosses every XXH3-128 code path: 0, 1-3, 4-8, 9-16, 17-128, 129-240, >240 (one and many stripes/blocks). */
    private static final int[] LENGTHS = {0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 63, 64, 127, 128, 129, 200, 239, 240,
        241, 255, 256, 1023, 1024, 1025, 4095, 4096, 16_384, 65_535, 65_536, MIB - 1, MIB};
    private static final int[] OFFSETS = {0, 1, 3, 7, 8, 13, 31, 4095};

    @BeforeAll
    static void nativeUsable() {
        final boolean installed = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libxxhash.so.0"))
            || Files.exists(Path.of("/lib/x86_64-linux-gnu/libxxhash.so.0"));
        assumeTrue(installed, "needs libxxhash.so.0 (Debian package libxxhash0)");
        assertTrue(XxHash3.available(), XxHash3.unavailableReason());
    }

    @Test
    void shouldUseNativeByDefaultWhenLibraryIsUsable() {
        assertTrue(new BlockHasher().isNative());
        assertTrue(BlockHasher.implementation().startsWith("native (libxxhash 0."), BlockHasher.implementation());
        assertFalse(new BlockHasher(false).isNative());
    }

    @Test
    void shouldGiveJavaIdsWhenContentIsRandomAtEveryLengthAndOffset() {
        final BlockHasher nat = new BlockHasher(true);
        final BlockHasher java = new BlockHasher(false);
        final SplittableRandom random = new SplittableRandom(20_261_125L);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment buffer = arena.allocate(MIB + 4096 + 64, 4096);
            final byte[] bytes = new byte[(int) buffer.byteSize()];
            random.nextBytes(bytes);
            buffer.copyFrom(MemorySegment.ofArray(bytes));
            int compared = 0;
            for (int length : LENGTHS) {
                for (int offset : OFFSETS) {
                    final MemorySegment slice = buffer.asSlice(offset, length);
                    nat.hash(slice, length);
                    java.hash(slice, length);
                    final String where = length + " bytes at offset " + offset;
                    assertEquals(BlockId.toHex(java.hi(), java.lo()), BlockId.toHex(nat.hi(), nat.lo()), where);
                    compared++;
                }
            }
            assertEquals(LENGTHS.length * OFFSETS.length, compared);
        }
    }

    @Test
    void shouldGiveJavaIdsWhenManyRandomBlocksHaveRandomLengths() {
        final BlockHasher nat = new BlockHasher(true);
        final BlockHasher java = new BlockHasher(false);
        final SplittableRandom random = new SplittableRandom(42);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment buffer = arena.allocate(8192 + 64, 64);
            final byte[] bytes = new byte[(int) buffer.byteSize()];
            for (int i = 0; i < 2_000; i++) {
                random.nextBytes(bytes);
                buffer.copyFrom(MemorySegment.ofArray(bytes));
                final int offset = random.nextInt(64);
                final int length = random.nextInt(8192 + 1);
                nat.hash(buffer.asSlice(offset), length);
                java.hash(buffer.asSlice(offset), length);
                assertEquals(java.hi(), nat.hi(), "round " + i + ": " + length + " bytes at " + offset);
                assertEquals(java.lo(), nat.lo(), "round " + i + ": " + length + " bytes at " + offset);
            }
        }
    }

    @ParameterizedTest(name = "native={0}")
    @ValueSource(booleans = {true, false})
    void shouldMatchReferenceVectorWhenInputIsAbc(final boolean useNative) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(3);
            s.copyFrom(MemorySegment.ofArray("abc".getBytes(StandardCharsets.US_ASCII)));
            final BlockHasher hasher = new BlockHasher(useNative);
            hasher.hash(s, 3);
            // xxhsum -H2 (xxHash 0.8.1): canonical big-endian, hi = XXH128_hash_t.high64 first
            assertEquals(0x06b05ab6733a6185L, hasher.hi());
            assertEquals(0x78af5f94892f3950L, hasher.lo());
        }
    }

    @ParameterizedTest(name = "native={0}")
    @ValueSource(booleans = {true, false})
    void shouldRejectHeapSegmentWhenHashing(final boolean useNative) {
        final BlockHasher hasher = new BlockHasher(useNative);
        assertThrows(IllegalArgumentException.class, () -> hasher.hash(MemorySegment.ofArray(new byte[16]), 16));
    }

    @Test
    void shouldHashInJavaWithTheSameIdWhenPropertyForcesJava() throws Exception {
        final String forced = probe(List.of("-Dcairn.xxhash.native=false"));
        final String byDefault = probe(List.of());
        assertTrue(forced.contains("implementation=java (-Dcairn.xxhash.native=false)"), forced);
        assertTrue(forced.contains("native=false"), forced);
        assertTrue(byDefault.contains("implementation=native (libxxhash "), byDefault);
        assertTrue(byDefault.contains("native=true"), byDefault);
        // the reference vector of BlockHasherTest for 1 MiB of pattern bytes, from xxhsum -H2
        assertTrue(forced.contains("id=7af56fb6c12ca0e9c82228703712868f"), forced);
        assertTrue(byDefault.contains("id=7af56fb6c12ca0e9c82228703712868f"), byDefault);
    }

    @Test
    void shouldFallBackToJavaQuietlyWithTheSameIdWhenLibraryCannotBeLoaded() throws Exception {
        // a real missing library: in a private mount namespace, /dev/null is bind-mounted over libxxhash.so.0.x
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for unshare -m and mount --bind");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare (util-linux)");
        final Path library = Path.of("/lib/x86_64-linux-gnu/libxxhash.so.0").toRealPath();
        final String out = probe(List.of("/usr/bin/unshare", "-m", "sh", "-c",
            "mount --bind /dev/null \"$0\" && exec \"$@\"", library.toString()), List.of());
        assertTrue(out.contains("implementation=java (libxxhash.so.0 is not usable ("), out);
        assertTrue(out.contains("install the libxxhash0 package)"), out);
        assertTrue(out.contains("native=false"), out);
        assertTrue(out.contains("id=7af56fb6c12ca0e9c82228703712868f"), out);
        assertEquals(3, out.lines().count(), "nothing logged besides the probe's three lines: " + out);
    }

    @ParameterizedTest(name = "{0} arena")
    @ValueSource(strings = {"shared", "confined"})
    void shouldNotAllocateWhenHashingAMebibyteNatively(final String arena) throws Exception {
        // in a fresh JVM: here, other tests have passed segments of other arena kinds through the same call
        // sites, which leaves 32 B per call even after C2 (see BlockHasherWarmUp)
        final String out = run(List.of(), List.of(), BlockHasherWarmUp.class, arena);
        final Matcher m = Pattern.compile("allocated=(\\d+) calls=(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Long.parseLong(m.group(1)) < Long.parseLong(m.group(2)),
            m.group(1) + " bytes allocated over " + m.group(2) + " 1 MiB hashes");
    }

    /** Runs {@link BlockHasherImplementationProbe} in a child JVM with this JVM's flags plus extra ones. */
    private static String probe(final List<String> extra) throws Exception {
        return probe(List.of(), extra);
    }

    /** As {@link #probe(List)}, the JVM started through {@code wrapper} (a command that execs its arguments). */
    private static String probe(final List<String> wrapper, final List<String> extra) throws Exception {
        return run(wrapper, extra, BlockHasherImplementationProbe.class, Integer.toString(MIB));
    }

    /** Runs {@code main} with {@code mainArg} in a child JVM with this JVM's flags, through {@code wrapper}. */
    private static String run(final List<String> wrapper, final List<String> extra, final Class<?> main,
                              final String mainArg) throws Exception {
        final List<String> command = new ArrayList<>(wrapper);
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--")) {
                command.add(arg); // --enable-native-access, --add-exports...: what the Java hash and FFM need
            }
        }
        command.addAll(extra);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName(), mainArg));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, process.exitValue(), out);
        return out;
    }
}
