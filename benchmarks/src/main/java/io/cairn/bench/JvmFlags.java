package io.cairn.bench;

/**
 * The JVM flags every Cairn JVM needs (shared/docs/platform-facts.md, and {@code cairn.jvm.flags} in the parent
 * pom), as compile-time constants so that each benchmark's {@code @Fork(jvmArgsAppend = ...)} can list them.
 * <p>
 * Each constant is one argv element, so two-word options use their {@code --option=value} spelling. Keep this list
 * in step with the parent pom and the {@code cairn} launcher.
 * <p>
 * Passing {@code -jvmArgsAppend} on the JMH command line would <em>replace</em> these; add options with
 * {@code -jvmArgsPrepend} (or {@code -jvmArgs}) instead.
 */
public final class JvmFlags {
    /** FFM downcalls in native-bindings (and zstd-jni's FFM binding). */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Agrona and zero-allocation-hashing use sun.misc.Unsafe memory access. */
    public static final String UNSAFE_MEMORY_ACCESS = "--sun-misc-unsafe-memory-access=allow";
    /** Without it Agrona fails at {@code new UnsafeBuffer} with IllegalAccessError. */
    public static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** platform-facts.md lists it (Chronicle's {@code Bytes.wrapForRead(ByteBuffer)} needs it). */
    public static final String EXPORT_NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Direct buffer cleaners. */
    public static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    /** From platform-facts.md's flag set. */
    public static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    /**
     * From platform-facts.md's flag set; Chronicle is not a dependency today, so this only keeps the forks' flags
     * identical to the documented set.
     */
    public static final String NO_CHRONICLE_ANALYTICS = "-Dchronicle.analytics.disable=true";

    private JvmFlags() {
    }
}
