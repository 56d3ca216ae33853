package io.cairn.format;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.regex.Pattern;

/** Generators and validators for pack ids, repository ids, restore point ids (UUIDv7) and disk names. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern DISK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern POINT_ID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    private Ids() {
    }

    /** 16 random bytes. */
    public static byte[] random128() {
        final byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A new UUID version 7 (RFC 9562): 48-bit Unix ms, version, 74 random bits. Time-ordered, globally unique. */
    public static String newPointId(final long epochMillis) {
        final byte[] r = random128();
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16;
        msb |= 0x7000L | ((r[0] & 0x0FL) << 8) | (r[1] & 0xFFL);
        long lsb = 0;
        for (int i = 8; i < 16; i++) {
            lsb = (lsb << 8) | (r[i] & 0xFFL);
        }
        lsb = (lsb & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    public static boolean isPointId(final String s) {
        return POINT_ID.matcher(s).matches();
    }

    public static boolean isDiskName(final String s) {
        return s != null && DISK_NAME.matcher(s).matches();
    }

    /** Throws IllegalArgumentException with a user-facing message when the disk name is not allowed. */
    public static String requireDiskName(final String s) {
        if (!isDiskName(s)) {
            throw new IllegalArgumentException("invalid disk name '" + s
                    + "': use 1-64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit");
        }
        return s;
    }
}
