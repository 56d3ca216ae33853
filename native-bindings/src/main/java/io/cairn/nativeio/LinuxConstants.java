package io.cairn.nativeio;

/**
 * Flag and request values from the Linux x86-64 headers, with a renderer for error messages.
 *
 * <p>Values are x86-64 specific where the kernel differs by architecture ({@code O_DIRECT} is {@code 0x10000}
 * and {@code O_DIRECTORY} is {@code 0x4000} on aarch64); {@link NativeSupport} refuses other architectures,
 * so nothing here is ever used with the wrong values.
 */
final class LinuxConstants {
    // open(2), asm-generic/fcntl.h with the x86-64 values.
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 0x1;
    static final int O_RDWR = 0x2;
    static final int O_CREAT = 0x40;
    static final int O_EXCL = 0x80;
    static final int O_TRUNC = 0x200;
    static final int O_APPEND = 0x400;
    static final int O_NONBLOCK = 0x800;
    static final int O_DIRECT = 0x4000;
    static final int O_DIRECTORY = 0x10000;
    static final int O_NOFOLLOW = 0x20000;
    static final int O_CLOEXEC = 0x80000;

    /** rw-r--r--, before the umask. */
    static final int MODE_0644 = 0644;

    // lseek(2)
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    // fallocate(2)
    static final int FALLOC_FL_KEEP_SIZE = 0x1;
    static final int FALLOC_FL_PUNCH_HOLE = 0x2;

    // posix_fadvise(2)
    static final int POSIX_FADV_SEQUENTIAL = 2;
    static final int POSIX_FADV_DONTNEED = 4;

    // ioctl(2) requests.
    static final long BLKGETSIZE64 = 0x80081272L;
    static final long FS_IOC_GETFLAGS = 0x80086601L;
    static final long FS_IOC_SETFLAGS = 0x40086602L;
    static final int FS_IMMUTABLE_FL = 0x10;

    // statx(2)
    static final int AT_FDCWD = -100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int STATX_TYPE = 0x1;
    static final int STATX_MODE = 0x2;
    static final int STATX_SIZE = 0x200;
    /** struct statx (linux/stat.h) is the same on every architecture. */
    static final long STATX_STRUCT_SIZE = 256;
    static final long STATX_MODE_OFFSET = 0x1C;
    static final long STATX_SIZE_OFFSET = 0x28;
    static final int S_IFMT = 0170000;
    static final int S_IFBLK = 0060000;
    static final int S_IFREG = 0100000;

    private static final int[] OPEN_FLAG_BITS = {
        O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK, O_DIRECT, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC
    };
    private static final String[] OPEN_FLAG_NAMES = {
        "O_CREAT", "O_EXCL", "O_TRUNC", "O_APPEND", "O_NONBLOCK", "O_DIRECT", "O_DIRECTORY", "O_NOFOLLOW", "O_CLOEXEC"
    };

    private LinuxConstants() {
    }

    /**
     * Renders open(2) flags as in C source, for error messages: {@code O_RDONLY|O_CLOEXEC|O_DIRECT}.
     * Unknown bits are appended in hex so nothing is hidden.
     */
    static String openFlags(final int flags) {
        final StringBuilder text = new StringBuilder(switch (flags & 0x3) {
            case O_RDONLY -> "O_RDONLY";
            case O_WRONLY -> "O_WRONLY";
            case O_RDWR -> "O_RDWR";
            default -> "O_ACCMODE(3)";
        });
        int rest = flags & ~0x3;
        for (int i = 0; i < OPEN_FLAG_BITS.length; i++) {
            if ((rest & OPEN_FLAG_BITS[i]) != 0) {
                text.append('|').append(OPEN_FLAG_NAMES[i]);
                rest &= ~OPEN_FLAG_BITS[i];
            }
        }
        if (rest != 0) {
            text.append("|0x").append(Integer.toHexString(rest));
        }
        return text.toString();
    }
}
