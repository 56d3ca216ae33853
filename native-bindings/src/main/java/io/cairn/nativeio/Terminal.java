package io.cairn.nativeio;

/** Whether a descriptor is a terminal, for choosing between progress bars and plain log lines. */
public final class Terminal {
    /** Standard input, output and error. */
    public static final int STDIN = 0, STDOUT = 1, STDERR = 2;

    private Terminal() {
    }

    /**
     * isatty(3). Returns false for descriptors that are not open, and also when native access is unavailable,
     * so that a CLI degrades to plain output rather than failing.
     */
    public static boolean isTerminal(final int fd) {
        return NativeSupport.available() && LibC.isatty(fd);
    }
}
