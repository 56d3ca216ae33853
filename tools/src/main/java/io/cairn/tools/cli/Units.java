package io.cairn.tools.cli;

import java.util.Locale;

/** Human-readable figures for stderr summaries (decimal MB/GB, as throughput is quoted). */
public final class Units {
    private Units() {
    }

    public static String bytes(final long b) {
        if (b >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f GB", b / 1e9);
        }
        if (b >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        }
        if (b >= 1_000L) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        }
        return b + " B";
    }

    public static String rate(final long bytes, final long nanos) {
        if (nanos <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f MB/s", bytes / 1e6 / (nanos / 1e9));
    }

    public static String seconds(final long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    public static String ratio(final double r) {
        return Double.isInfinite(r) || Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }
}
