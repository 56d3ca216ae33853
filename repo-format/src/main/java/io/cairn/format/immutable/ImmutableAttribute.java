package io.cairn.format.immutable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * The file system's immutable attribute (Linux FS_IMMUTABLE_FL, {@code chattr +i}): a file that carries it can be
 * neither written, renamed nor unlinked, not even by root, until the attribute is cleared.
 * <p>
 * Design note: repo-format reads and writes bytes with the JDK alone (no native calls), so the implementation lives
 * where FFM does: the engine provides it as a {@link ServiceLoader} service (file
 * {@code META-INF/services/io.cairn.format.immutable.ImmutableAttribute}). {@link #system()} finds it, so that every
 * {@code Repository} opened in a Cairn process (backup, compact, move) protects what it publishes without each caller
 * having to remember it. Where no implementation is on the class path, {@link #UNAVAILABLE} says so on every call.
 */
public interface ImmutableAttribute {
    /** True when the file carries the attribute. */
    boolean isSet(Path file) throws IOException;

    /**
     * Sets or clears the attribute.
     *
     * @throws ImmutableAttributeException when the file system has no such attribute or the process may not set it
     */
    void set(Path file, boolean on) throws IOException;

    /** Used when no implementation is on the class path: every call fails with UNSUPPORTED. */
    ImmutableAttribute UNAVAILABLE = new ImmutableAttribute() {
        @Override
        public boolean isSet(final Path file) throws IOException {
            throw unavailable();
        }

        @Override
        public void set(final Path file, final boolean on) throws IOException {
            throw unavailable();
        }

        private ImmutableAttributeException unavailable() {
            return new ImmutableAttributeException(ImmutableAttributeException.Kind.UNSUPPORTED,
                    "no implementation of the immutable attribute in this process (the engine is not on the class path)",
                    null);
        }
    };

    /** The implementation on the class path (the engine's), or {@link #UNAVAILABLE}. */
    static ImmutableAttribute system() {
        return SystemHolder.INSTANCE;
    }

    /** Lazy, once per JVM. */
    final class SystemHolder {
        static final ImmutableAttribute INSTANCE = ServiceLoader.load(ImmutableAttribute.class).findFirst()
                .orElse(UNAVAILABLE);

        private SystemHolder() {
        }
    }
}
