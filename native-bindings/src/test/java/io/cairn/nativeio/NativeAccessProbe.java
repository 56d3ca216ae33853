package io.cairn.nativeio;

import java.nio.file.Path;

/** Run by {@link NativeAccessTest} in a JVM started without {@code --enable-native-access}. */
public final class NativeAccessProbe {
    private NativeAccessProbe() {
    }

    public static void main(final String[] args) throws Exception {
        System.out.println("available=" + NativeAccess.available());
        System.out.println("reason=" + NativeAccess.unavailableReason());
        System.out.println("terminal=" + Terminal.isTerminal(1));
        System.out.println("describe=" + Errno.describe(Errno.EIO));
        System.out.println("xxhash=" + XxHash3.available() + " " + XxHash3.unavailableReason());
        try {
            LinuxFile.openRead(Path.of("/proc/version"), false).close();
            System.out.println("open=succeeded");
        } catch (final UnsupportedOperationException e) {
            System.out.println("open=" + e.getMessage());
        }
    }
}
