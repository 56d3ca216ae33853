package io.cairn.engine.restore;

import java.nio.file.Path;
import java.util.Locale;

/** What a restore writes: the raw disk, or a dynamic VHDX file. */
public enum RestoreFormat {
    RAW, VHDX;

    /** From {@code --format} when given, else from the target's name (".vhdx" means VHDX). */
    public static RestoreFormat choose(final String format, final Path target) {
        if (format != null) {
            return switch (format.toLowerCase(Locale.ROOT)) {
                case "raw" -> RAW;
                case "vhdx" -> VHDX;
                default -> throw new IllegalArgumentException("unknown restore format '" + format
                        + "' (use raw or vhdx)");
            };
        }
        final Path name = target.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".vhdx") ? VHDX : RAW;
    }
}
