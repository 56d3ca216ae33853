package io.cairn.format;

import java.util.HexFormat;

/** Lower-case hex for ids in file names and messages. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    public static String of(final byte[] b) {
        return HEX.formatHex(b);
    }

    /** Parses exactly {@code bytes} bytes of hex; IllegalArgumentException otherwise. */
    public static byte[] parse(final String s, final int bytes) {
        if (s.length() != bytes * 2) {
            throw new IllegalArgumentException("expected " + bytes * 2 + " hex digits: " + s);
        }
        return HEX.parseHex(s);
    }

    public static boolean isHex(final String s, final int bytes) {
        if (s.length() != bytes * 2) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
