package io.cairn.engine.codec;

import io.cairn.format.index.BlockId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * XXH3-128 block ids against known vectors. Every expected value below was produced independently by the xxHash
 * reference CLI ({@code xxhsum -H2}, xxHash 0.8.1, Debian package xxhash), which prints the canonical big-endian
 * form, i.e. {@code BlockId.toHex(hi, lo)}. Pattern inputs are byte i = (i*31 + (i>>8)*7 + 1) & 0xff, generated
 * in Python and fed to xxhsum as files; the lengths cross every XXH3 code path (0, 1-3, 4-8... 16, 17-128,
 * 129-240, >240 with one and many stripes and blocks). {@code new BlockHasher()} is the native implementation
 * where libxxhash is installed (see BlockHasherNativeTest); the pattern vectors check the Java one as well.
 */
class BlockHasherTest {
    @Test
    void shouldMatchReferenceVectorWhenInputIsEmpty() {
        try (Arena arena = Arena.ofConfined()) {
            final BlockHasher hasher = new BlockHasher();
            hasher.hash(arena.allocate(16), 0);
            assertEquals(0x99aa06d3014798d8L, hasher.hi());
            assertEquals(0x6001c324468d497fL, hasher.lo());
        }
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource({
        "abc, 06b05ab6733a618578af5f94892f3950",
        "a,   a96faf705af16834e6c632b61e964e1f",
    })
    void shouldMatchReferenceVectorWhenInputIsAsciiText(final String text, final String expectedHex) {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(bytes.length);
            s.copyFrom(MemorySegment.ofArray(bytes));
            final BlockHasher hasher = new BlockHasher();
            hasher.hash(s, bytes.length);
            assertEquals(expectedHex, BlockId.toHex(hasher.hi(), hasher.lo()));
        }
    }

    @ParameterizedTest(name = "{0} pattern bytes")
    @CsvSource({
        "1,       51025a4491835505e12ef9d2eb86ceeb",
        "3,       ae71556b3fe9c44704ff10c4faac80e8",
        "16,      1bef414bb9d8b06c354cb8f575a9dcd3",
        "17,      d9cf1715ecffcfb5d27c8935f12fbc35",
        "128,     0334cc241a281433564fbce12b124363",
        "129,     fd5f1f3cc5b17865965e1f9965a76920",
        "240,     a903c782ede2326a011032674dcb10d1",
        "241,     9916be36cde76f2e3bc6fa347f0cfaff",
        "1024,    b969a5b740955188378dd4537ffb8737",
        "4096,    4ebedbebcf21b1479f9da6748d872e10",
        "65536,   f4ba07306d8b70b29b37f56be9be6cff",
        "1048576, 7af56fb6c12ca0e9c82228703712868f",
    })
    void shouldMatchReferenceVectorWhenInputIsPattern(final int length, final String expectedHex) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(length, 4096);
            for (int i = 0; i < length; i++) {
                s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + (i >> 8) * 7 + 1));
            }
            final BlockHasher hasher = new BlockHasher();
            hasher.hash(s, length);
            assertEquals(expectedHex, BlockId.toHex(hasher.hi(), hasher.lo()));
            final BlockHasher java = new BlockHasher(false); // the fallback, whichever the default is
            java.hash(s, length);
            assertEquals(expectedHex, BlockId.toHex(java.hi(), java.lo()));
        }
    }

    @Test
    void shouldHashOnlyTheGivenLengthWhenSegmentIsLonger() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(64);
            s.fill((byte) 'x');
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 'a');
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 1, (byte) 'b');
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 'c');
            final BlockHasher hasher = new BlockHasher();
            hasher.hash(s, 3);
            assertEquals("06b05ab6733a618578af5f94892f3950", BlockId.toHex(hasher.hi(), hasher.lo()));
            hasher.hash(s, 4);
            assertNotEquals("06b05ab6733a618578af5f94892f3950", BlockId.toHex(hasher.hi(), hasher.lo()));
        }
    }

    @Test
    void shouldRejectHeapSegmentWhenHashing() {
        // a heap segment has no native address: hashing "its address" would read arbitrary native memory
        final BlockHasher hasher = new BlockHasher();
        assertThrows(IllegalArgumentException.class, () -> hasher.hash(MemorySegment.ofArray(new byte[16]), 16));
    }

    @Test
    void shouldRejectLengthWhenItRunsPastTheSegment() {
        try (Arena arena = Arena.ofConfined()) {
            final BlockHasher hasher = new BlockHasher();
            final MemorySegment s = arena.allocate(16);
            assertThrows(IndexOutOfBoundsException.class, () -> hasher.hash(s, 17));
            assertThrows(IndexOutOfBoundsException.class, () -> hasher.hash(s, -1));
        }
    }
}
