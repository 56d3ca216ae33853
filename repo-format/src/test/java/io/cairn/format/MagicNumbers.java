package io.cairn.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Computes FORMAT.md section 3 magic numbers independently of the code under test. */
public final class MagicNumbers {
    private MagicNumbers() {
    }

    /** First 8 bytes of SHA-256(name), in file order. */
    public static byte[] magicBytes(final String name) {
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            final byte[] magic = new byte[8];
            System.arraycopy(digest, 0, magic, 0, 8);
            return magic;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The same 8 bytes read as a big-endian long (how the layouts store them). */
    public static long magicBigEndian(final String name) {
        return ByteBuffer.wrap(magicBytes(name)).getLong();
    }
}
