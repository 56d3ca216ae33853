/**
 * Linux system calls for Cairn through the Java 25 FFM API (no JNI): positional I/O into off-heap segments with
 * O_DIRECT, fsync and fdatasync, fallocate and hole punching, SEEK_DATA/SEEK_HOLE, posix_fadvise, and the ioctls
 * the engine needs (block device size, the immutable inode flag).
 *
 * <p>Public API: {@link io.cairn.nativeio.LinuxFile}, {@link io.cairn.nativeio.AlignedBuffers},
 * {@link io.cairn.nativeio.NativeIOException} and {@link io.cairn.nativeio.StorageFullException},
 * {@link io.cairn.nativeio.Errno}, {@link io.cairn.nativeio.FileFlags}, {@link io.cairn.nativeio.Terminal},
 * {@link io.cairn.nativeio.NativeAccess}, and {@link io.cairn.nativeio.XxHash3} (XXH3-128 by the system's
 * {@code libxxhash.so.0}, optional: linked on first use, apart from the rest). Internals ({@code LibC}, {@code NativeSupport}, {@code LinuxConstants})
 * are package-private here rather than in a {@code linux} sub-package: the project has no {@code module-info},
 * so a public internal class would be callable by every module.
 *
 * <p>Errors: failed calls throw {@link io.cairn.nativeio.NativeIOException} naming the call, path, arguments and
 * errno; ENOSPC and EDQUOT throw {@link io.cairn.nativeio.StorageFullException}. Misuse (a heap segment, a length
 * past the segment) throws {@link java.lang.IllegalArgumentException}.
 *
 * <p>Platform: Linux x86-64 with glibc 2.32 or newer; the JVM needs {@code --enable-native-access=ALL-UNNAMED}
 * (see {@link io.cairn.nativeio.NativeAccess}). Only this module calls restricted FFM methods.
 */
package io.cairn.nativeio;
