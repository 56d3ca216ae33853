package io.cairn.nativeio;

/**
 * Whether this module's FFM downcalls are usable. Check once at start-up and report
 * {@link #unavailableReason()} instead of failing later in the middle of a backup.
 *
 * <p>Downcalls are usable when the JVM runs on Linux x86-64, native access is enabled for this code
 * ({@code --enable-native-access=ALL-UNNAMED} on the class path) and glibc provides every bound function. Without
 * the flag this module does not even try: JDK 25 would allow the calls with a warning, a later JDK will refuse
 * them, and behaving the same on both is simpler to operate. When unavailable, {@link LinuxFile} and
 * {@link FileFlags} throw {@link UnsupportedOperationException} with the reason, and {@link Terminal} answers false.
 */
public final class NativeAccess {
    private NativeAccess() {
    }

    /** True when downcalls are usable. */
    public static boolean available() {
        return NativeSupport.available();
    }

    /** Why downcalls are unusable, naming {@code --enable-native-access} where that is the fix; empty if usable. */
    public static String unavailableReason() {
        return NativeSupport.unavailableReason();
    }
}
