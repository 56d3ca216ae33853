package io.cairn.engine.source.vhdx;

import io.cairn.engine.source.BlockSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A VHDX file (fixed, dynamic or differencing chain) as a backup source: the virtual disk, with payload blocks that
 * are absent, zero, undefined or unmapped (in this file and, for not-present blocks, in every parent) reported as
 * holes, so a backup reads only allocated payload.
 * <p>
 * Threads: as {@link BlockSource}: {@link #read} on one reader thread; the rest on the orchestrating thread, but not
 * concurrently with read (the reader's scratch is shared).
 */
public final class VhdxBlockSource implements BlockSource {
    private final VhdxReader reader;
    private final String identity;

    private VhdxBlockSource(final VhdxReader reader, final String identity) {
        this.reader = reader;
        this.identity = identity;
    }

    /** Opens a VHDX file read-only; a clear IOException (often {@link CorruptVhdxException}) when it is unusable. */
    public static VhdxBlockSource open(final Path path) throws IOException {
        final VhdxReader r = VhdxReader.open(path);
        final StringBuilder id = new StringBuilder("vhdx data_write_guid=").append(r.dataWriteGuid());
        int depth = 0;
        for (VhdxReader p = r.parent(); p != null; p = p.parent()) {
            depth++;
        }
        id.append(" block_size=").append(r.blockSize()).append(" parents=").append(depth)
                .append(" size=").append(r.size());
        if (r.logReplayed()) {
            id.append(" log_replayed=true");
        }
        return new VhdxBlockSource(r, id.toString());
    }

    /** True when the file starts with the VHDX file type identifier "vhdxfile". */
    public static boolean isVhdx(final Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    return false;
                }
            }
            return b.getLong(0) == VhdxLayout.FILE_SIGNATURE;
        }
    }

    /** The reader behind this source (chain, block size, allocation). */
    public VhdxReader reader() {
        return reader;
    }

    @Override
    public long size() {
        return reader.size();
    }

    @Override
    public String describe() {
        return reader.path().toString();
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public long nextData(final long offset) throws IOException {
        return reader.nextData(offset);
    }

    @Override
    public long nextHole(final long offset) throws IOException {
        return reader.nextHole(offset);
    }

    @Override
    public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
        reader.read(dst, 0, offset, length);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
