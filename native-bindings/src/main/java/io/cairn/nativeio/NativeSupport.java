package io.cairn.nativeio;

/**
 * Decides once, on first use, whether this JVM may make the downcalls in {@link LibC}, and why not.
 *
 * <p>Design note: the check runs before {@link LibC} is initialised, so that a JVM without
 * {@code --enable-native-access} never reaches a restricted method. The JDK would otherwise link the
 * handles anyway and only print a warning (the default {@code --illegal-native-access=warn} of JDK 24+), which
 * a later JDK will turn into an error; failing the same way on every JDK is easier to operate. Linking failures
 * (a C library without {@code statx}, say) land here too, as a reason rather than an
 * {@link ExceptionInInitializerError} in the middle of a backup.
 */
final class NativeSupport {
    private static final String UNAVAILABLE_REASON = probe();

    private NativeSupport() {
    }

    static boolean available() {
        return UNAVAILABLE_REASON == null;
    }

    static String unavailableReason() {
        return UNAVAILABLE_REASON == null ? "" : UNAVAILABLE_REASON;
    }

    /** Throws {@link UnsupportedOperationException} with the reason when downcalls are not usable. */
    static void ensureAvailable() {
        if (UNAVAILABLE_REASON != null) {
            throw new UnsupportedOperationException(UNAVAILABLE_REASON);
        }
    }

    private static String probe() {
        final String os = System.getProperty("os.name", "");
        final String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "Cairn native I/O supports Linux x86-64 only; this JVM runs on " + os + " " + arch;
        }
        final Module module = NativeSupport.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            final String target = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            return "native access is not enabled for " + (module.isNamed() ? "module " + target : "the class path")
                + "; start the JVM with --enable-native-access=" + target;
        }
        try {
            LibC.initialise();
            return null;
        } catch (final LinkageError e) {
            final Throwable cause = e.getCause() != null ? e.getCause() : e;
            return "linking the C library failed (" + cause + "); Cairn needs glibc 2.32 or newer";
        }
    }
}
