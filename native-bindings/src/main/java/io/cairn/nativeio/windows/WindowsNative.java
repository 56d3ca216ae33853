package io.cairn.nativeio.windows;

/**
 * Whether the Windows bindings of this package are usable in this JVM, and why not.
 *
 * <p>The check looks only at system properties and at whether native access is enabled; it never looks up a
 * library. {@code virtdisk.dll}, {@code VssApi.dll}, {@code ole32.dll} and {@code kernel32.dll} are looked up on the
 * first call that needs them (see {@code WindowsLibraries}), so loading and initialising every class of this
 * package on Linux touches no Windows library and cannot fail. On Linux {@link #available()} is false and
 * {@link #unavailableReason()} says so; every binding entry point then throws {@link UnsupportedOperationException}
 * with that reason.
 *
 * <p>Not run on Windows: see the package documentation.
 */
public final class WindowsNative {
    private static final String UNAVAILABLE_REASON = probe(System.getProperty("os.name", ""),
        System.getProperty("os.arch", ""), WindowsNative.class.getModule());

    private WindowsNative() {
    }

    /** True on Windows x64 with native access enabled. */
    public static boolean available() {
        return UNAVAILABLE_REASON == null;
    }

    /** Why the bindings are unusable here, or empty when they are usable. */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON == null ? "" : UNAVAILABLE_REASON;
    }

    /** Throws {@link UnsupportedOperationException} with the reason when the bindings are unusable here. */
    static void ensureAvailable() {
        if (UNAVAILABLE_REASON != null) {
            throw new UnsupportedOperationException(UNAVAILABLE_REASON);
        }
    }

    /** The reason the bindings cannot be used on this platform, or null when they can. */
    static String probe(final String osName, final String osArch, final Module module) {
        if (!osName.startsWith("Windows")) {
            return "the Hyper-V RCT and VSS bindings need Windows x64; this JVM runs on " + osName + " " + osArch;
        }
        if (!(osArch.equals("amd64") || osArch.equals("x86_64"))) {
            return "the Hyper-V RCT and VSS bindings need Windows x64 (a 64-bit VSS requester on a 64-bit OS);"
                + " this JVM runs on " + osName + " " + osArch;
        }
        if (!module.isNativeAccessEnabled()) {
            final String target = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            return "native access is not enabled for " + (module.isNamed() ? "module " + target : "the class path")
                + "; start the JVM with --enable-native-access=" + target;
        }
        return null;
    }
}
