package io.cairn.engine.source.vhdx;

import io.cairn.nativeio.LinuxFile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Positional reads from one VHDX file (never written), with the replayed log laid over them: after
 * {@link VhdxLog#replay} the bytes a read returns are those the file would hold had the log been flushed into it,
 * although the file itself is left untouched.
 * <p>
 * Threads: open on one thread; reads are used by one reader thread at a time (the scratch sector is shared).
 */
final class VhdxFile implements AutoCloseable {
    private final Path path;
    private final LinuxFile file;
    private final long length;
    private final Arena arena;
    private final MemorySegment logSector;
    private LogOverlay overlay = LogOverlay.EMPTY;

    private VhdxFile(final Path path, final LinuxFile file, final long length, final Arena arena) {
        this.path = path;
        this.file = file;
        this.length = length;
        this.arena = arena;
        this.logSector = arena.allocate(4096, 4096);
    }

    static VhdxFile open(final Path path) throws IOException {
        final LinuxFile f = LinuxFile.openRead(path, false);
        try {
            return new VhdxFile(path, f, f.size(), Arena.ofShared());
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** Bytes in the file as found on disk. */
    long length() {
        return length;
    }

    /** Bytes of the file as the log leaves it (a log may extend the file; never less than {@link #length()}). */
    long logicalLength() {
        return Math.max(length, overlay.lastFileOffset());
    }

    Arena arena() {
        return arena;
    }

    boolean hasOverlay() {
        return !overlay.isEmpty();
    }

    void overlay(final LogOverlay replayed) {
        this.overlay = replayed;
    }

    /** Reads a structure that must lie wholly inside the file, into a new segment of this file's arena (open-time structures only). */
    MemorySegment readStructure(final long offset, final long size, final String what) throws IOException {
        if (offset < 0 || size < 0 || offset > logicalLength() - size) {
            throw new CorruptVhdxException(path, offset, what + " of " + size + " bytes lies beyond the end of the "
                    + logicalLength() + "-byte file");
        }
        final MemorySegment s = arena.allocate(size, 8);
        read(offset, s, 0, size);
        return s;
    }

    /**
     * Reads {@code size} bytes at file offset into dst at dstOffset (dst native); bytes past the end of the file
     * read as zeros, then the replayed log is applied.
     */
    void read(final long offset, final MemorySegment dst, final long dstOffset, final long size) throws IOException {
        final MemorySegment to = dstOffset == 0 ? dst : dst.asSlice(dstOffset, size);
        final long n = offset >= length ? 0 : file.readFully(to, Math.min(size, length - offset), offset);
        if (n < size) {
            to.asSlice(n, size - n).fill((byte) 0);
        }
        if (!overlay.isEmpty()) {
            applyOverlay(offset, to, size);
        }
    }

    /** Rare path (only after a log replay): later descriptors win, so apply them in log order. */
    private void applyOverlay(final long offset, final MemorySegment to, final long size) throws IOException {
        final LogOverlay o = overlay;
        final long end = offset + size;
        for (int i = 0; i < o.count(); i++) {
            final long from = Math.max(offset, o.fileOffset(i));
            final long until = Math.min(end, o.fileOffset(i) + o.length(i));
            if (from >= until) {
                continue;
            }
            if (o.isZero(i)) {
                to.asSlice(from - offset, until - from).fill((byte) 0);
            } else {
                if (file.readFully(logSector, 4096, o.logOffset(i)) != 4096) {
                    throw new CorruptVhdxException(path, o.logOffset(i), "log data sector lies beyond the file end");
                }
                logSector.set(VhdxLayout.U64, 0, o.leading(i));
                logSector.set(VhdxLayout.U32, 4092, o.trailing(i));
                MemorySegment.copy(logSector, from - o.fileOffset(i), to, from - offset, until - from);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            file.close();
        } finally {
            arena.close();
        }
    }
}
