package io.cairn.engine.immutable;

import io.cairn.format.immutable.ImmutableAttribute;
import io.cairn.format.immutable.ImmutableAttributeException;
import io.cairn.format.immutable.ImmutableAttributeException.Kind;
import io.cairn.nativeio.Errno;
import io.cairn.nativeio.FileFlags;
import io.cairn.nativeio.NativeIOException;
import io.cairn.nativeio.NativeAccess;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The immutable attribute as Linux inode flag FS_IMMUTABLE_FL ({@link FileFlags}: FS_IOC_GETFLAGS/SETFLAGS through
 * FFM). Registered as the {@link ImmutableAttribute} service, so repo-format's {@code Repository} uses it wherever
 * the engine is on the class path.
 * <p>
 * Errors become something a caller can branch on: ENOTTY, EOPNOTSUPP and EINVAL (file systems without inode flags,
 * e.g. ramfs, vfat, many FUSE and network file systems) are {@link Kind#UNSUPPORTED}, EPERM (no
 * CAP_LINUX_IMMUTABLE) is {@link Kind#NOT_PERMITTED}, ENOENT is a NoSuchFileException.
 */
public final class InodeFlagImmutableAttribute implements ImmutableAttribute {
    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public InodeFlagImmutableAttribute() {
    }

    @Override
    public boolean isSet(final Path file) throws IOException {
        requireNative();
        try {
            return FileFlags.isImmutable(file);
        } catch (NativeIOException e) {
            throw translate(e, file);
        }
    }

    @Override
    public void set(final Path file, final boolean on) throws IOException {
        requireNative();
        try {
            FileFlags.setImmutable(file, on);
        } catch (NativeIOException e) {
            throw translate(e, file);
        }
    }

    private static void requireNative() throws ImmutableAttributeException {
        if (!NativeAccess.available()) {
            throw new ImmutableAttributeException(Kind.UNSUPPORTED, "native access is unavailable: "
                    + NativeAccess.unavailableReason(), null);
        }
    }

    private static IOException translate(final NativeIOException e, final Path file) {
        return switch (e.errno()) {
            case Errno.ENOTTY, Errno.EOPNOTSUPP, Errno.EINVAL -> new ImmutableAttributeException(Kind.UNSUPPORTED,
                    Errno.name(e.errno()) + " from the inode-flags ioctl on " + file, e);
            case Errno.EPERM -> new ImmutableAttributeException(Kind.NOT_PERMITTED,
                    "EPERM: this process lacks CAP_LINUX_IMMUTABLE (" + file + ")", e);
            case Errno.ENOENT -> (NoSuchFileException) new NoSuchFileException(file.toString()).initCause(e);
            default -> e;
        };
    }
}
