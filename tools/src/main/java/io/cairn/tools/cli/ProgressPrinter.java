package io.cairn.tools.cli;

import io.cairn.engine.Progress;
import io.cairn.nativeio.NativeAccess;
import io.cairn.nativeio.Terminal;

import java.io.PrintStream;
import java.util.Locale;

/** Shows bytes, MB/s and ETA on stderr when stderr is a terminal; silent otherwise (logs stay clean). */
public final class ProgressPrinter implements Progress {
    private final PrintStream err;
    private final String label;
    private final boolean enabled;
    private final long startNs = System.nanoTime();
    private boolean printed;

    public ProgressPrinter(final PrintStream err, final String label) {
        this.err = err;
        this.label = label;
        this.enabled = NativeAccess.available() && Terminal.isTerminal(2);
    }

    @Override
    public void update(final long done, final long total) {
        if (!enabled) {
            return;
        }
        final double s = (System.nanoTime() - startNs) / 1e9;
        final double rate = s > 0 ? done / s : 0;
        final long eta = rate > 0 ? (long) ((total - done) / rate) : 0;
        err.printf(Locale.ROOT, "\r%s %s / %s  %.0f MB/s  ETA %d:%02d   ", label, Units.bytes(done),
                Units.bytes(total), rate / 1e6, eta / 60, eta % 60);
        err.flush();
        printed = true;
    }

    /** Clears the progress line before the summary. */
    public void done() {
        if (printed) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
