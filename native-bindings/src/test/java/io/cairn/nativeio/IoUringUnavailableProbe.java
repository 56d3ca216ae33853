package io.cairn.nativeio;

/** Run by {@link IoUringFallbackTest} in a JVM started without {@code --enable-native-access}. */
public final class IoUringUnavailableProbe {
    private IoUringUnavailableProbe() {
    }

    public static void main(final String[] args) throws Exception {
        System.out.println("available=" + IoUring.available());
        System.out.println("reason=" + IoUring.unavailableReason());
        System.out.println("open=" + (IoUring.open(8).isPresent() ? "present" : "empty"));
    }
}
