package io.cairn.format.immutable;

import io.cairn.format.Hex;
import io.cairn.format.Ids;
import io.cairn.format.RepositoryConfigCodec;
import io.cairn.format.point.PointLayout;

import java.nio.file.Path;

/**
 * The files the immutability record may name (FORMAT.md section 12), as paths relative to the repository with
 * {@code /} separators: {@code config}, {@code packs/ab/<32 hex>.pack} and {@code points/<disk>/<uuid>.point}.
 * Anything else (absolute paths, {@code ..}, other names) is refused, so a hostile record can never make Cairn
 * touch a file outside the repository's sealed files.
 */
public final class ProtectedPaths {
    private ProtectedPaths() {
    }

    /** True when {@code p} names a file the record may protect. */
    public static boolean isValid(final String p) {
        if (p == null) {
            return false;
        }
        if (p.equals(RepositoryConfigCodec.FILE_NAME)) {
            return true;
        }
        final String[] parts = p.split("/", -1);
        if (parts.length != 3) {
            return false;
        }
        if (parts[0].equals("packs")) {
            final String n = parts[2];
            return n.length() == 37 && n.endsWith(".pack") && Hex.isHex(n.substring(0, 32), 16)
                    && n.startsWith(parts[1]) && parts[1].length() == 2;
        }
        if (parts[0].equals("points")) {
            final String n = parts[2];
            return Ids.isDiskName(parts[1]) && n.endsWith(PointLayout.SUFFIX)
                    && Ids.isPointId(n.substring(0, n.length() - PointLayout.SUFFIX.length()));
        }
        return false;
    }

    /** {@code p} itself, or IllegalArgumentException when it is not a protectable file name. */
    public static String require(final String p) {
        if (!isValid(p)) {
            throw new IllegalArgumentException("not a sealed repository file: '" + p + "'");
        }
        return p;
    }

    /** The record's name of {@code file} inside {@code repoDir}, or null when it is not a protectable file. */
    public static String of(final Path repoDir, final Path file) {
        final Path rel = repoDir.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize());
        final String s = rel.toString().replace(java.io.File.separatorChar, '/');
        return isValid(s) ? s : null;
    }
}
