package io.cairn.engine.codec;

import io.cairn.format.index.BlockId;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** Run by {@link BlockHasherNativeTest} in a child JVM: prints the implementation in use and one block id. */
public final class BlockHasherImplementationProbe {
    private BlockHasherImplementationProbe() {
    }

    public static void main(final String[] args) {
        final int length = Integer.parseInt(args[0]);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(length, 4096);
            for (int i = 0; i < length; i++) {
                s.set(JAVA_BYTE, i, (byte) (i * 31 + (i >> 8) * 7 + 1));
            }
            final BlockHasher hasher = new BlockHasher();
            hasher.hash(s, length);
            System.out.println("implementation=" + BlockHasher.implementation());
            System.out.println("native=" + hasher.isNative());
            System.out.println("id=" + BlockId.toHex(hasher.hi(), hasher.lo()));
        }
    }
}
