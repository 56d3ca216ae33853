package io.cairn.engine.restore.vhdx;

import io.cairn.engine.source.vhdx.VhdxLayout;
import io.cairn.nativeio.LinuxFile;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static io.cairn.engine.source.vhdx.VhdxLayout.*;

/**
 * Writes a dynamic VHDX file (MS-VHDX) as a restore target: payload blocks are appended, 1 MiB-aligned, only when
 * non-zero data is written into them; everything else stays PAYLOAD_BLOCK_NOT_PRESENT (reads as zeros).
 * <pre>
 * 0       file identifier "vhdxfile", creator "Cairn"
 * 64K     header 1 (sequence 1)      128K  header 2 (sequence 2, current)
 * 192K    region table 1             256K  region table 2
 * 1 MiB   log (1 MiB, empty: log GUID zero)
 * 2 MiB   BAT (round_up(entries * 8, 1 MiB))
 * then    metadata (1 MiB: file parameters, virtual size, page 83, logical/physical sector size 512)
 * then    payload blocks in the order they are first written
 * </pre>
 * Crash consistency: {@link #create} writes no header; {@link #close} writes the BAT, fsyncs, then writes both
 * headers and fsyncs again, so an interrupted restore leaves a file no VHDX reader accepts.
 * <p>
 * Threads: {@link #write} may be called from several threads at once for different ranges (the restore's
 * workers); a block's first allocation takes a lock, later writes to it take none. {@link #close} once, after all
 * writes. A writer that failed stays failed: later calls throw with the first cause.
 */
public final class VhdxWriter implements AutoCloseable {
    private static final long LOG_OFFSET = MIB, LOG_LENGTH = MIB, BAT_OFFSET = 2 * MIB;
    private static final int SECTOR = 512;
    private static final long ZERO_CHUNK = 64 * 1024;

    private final Path path;
    private final LinuxFile file;
    private final long virtualSize;
    private final long blockSize;
    private final long chunkRatio;
    private final long payloadBlocks;
    private final long batLength;
    /** File offset of each payload block in MiB, 0 = not allocated. */
    private final AtomicIntegerArray blockMib;
    private final Object allocationLock = new Object();
    private final MemorySegment zeros;
    private final Arena arena;
    private long nextFree; // guarded by allocationLock
    private volatile IOException failure;
    private boolean closed;

    private VhdxWriter(final Path path, final LinuxFile file, final long virtualSize, final long blockSize) {
        this.path = path;
        this.file = file;
        this.virtualSize = virtualSize;
        this.blockSize = blockSize;
        this.chunkRatio = chunkRatio(SECTOR, blockSize);
        this.payloadBlocks = (virtualSize + blockSize - 1) / blockSize;
        this.batLength = roundUp(batEntries(payloadBlocks, chunkRatio, false) * 8, MIB);
        this.blockMib = new AtomicIntegerArray(Math.toIntExact(payloadBlocks));
        this.nextFree = BAT_OFFSET + batLength + MIB;
        this.arena = Arena.ofShared();
        this.zeros = arena.allocate(ZERO_CHUNK);
    }

    /**
     * The block size QEMU picks for a disk of this size: 8 MiB up to 1 GiB, 16 MiB up to 100 GiB, 32 MiB up to
     * 32 TiB, 64 MiB above.
     */
    public static long defaultBlockSize(final long virtualSize) {
        if (virtualSize > (32L << 40)) {
            return 64 * MIB;
        }
        if (virtualSize > (100L << 30)) {
            return 32 * MIB;
        }
        return virtualSize > (1L << 30) ? 16 * MIB : 8 * MIB;
    }

    /**
     * Creates (or truncates) the file for a disk of {@code virtualSize} bytes, rounded up to a multiple of 512 (the
     * rounded tail reads as zeros), with payload blocks of {@code blockSizeBytes} (a power of two, 1..256 MiB).
     */
    public static VhdxWriter create(final Path path, final long virtualSize, final long blockSizeBytes)
            throws IOException {
        if (Long.bitCount(blockSizeBytes) != 1 || blockSizeBytes < MIN_BLOCK_SIZE || blockSizeBytes > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("VHDX block size " + blockSizeBytes
                    + " is not a power of two between 1 MiB and 256 MiB");
        }
        final long size = roundUp(virtualSize, SECTOR);
        if (virtualSize <= 0 || size > MAX_VIRTUAL_SIZE) {
            throw new IllegalArgumentException("VHDX virtual size " + virtualSize + " is not between 1 byte and 64 TiB");
        }
        final LinuxFile f = LinuxFile.openWrite(path, true, true);
        final VhdxWriter w;
        try {
            w = new VhdxWriter(path, f, size, blockSizeBytes);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        try {
            w.writeStatic();
        } catch (IOException | RuntimeException e) {
            w.abandon();
            throw e;
        }
        return w;
    }

    /** Virtual size of the disk written (the requested size rounded up to 512 bytes). */
    public long virtualSize() {
        return virtualSize;
    }

    public long blockSize() {
        return blockSize;
    }

    /**
     * Writes {@code length} bytes of src (native) at virtual offset. Ranges may start anywhere; all-zero parts
     * of unallocated blocks are not stored.
     */
    public void write(final long offset, final MemorySegment src, final long length) throws IOException {
        checkUsable();
        if (offset < 0 || length < 0 || offset > virtualSize - length || length > src.byteSize()) {
            throw new IllegalArgumentException("write of " + length + " bytes at " + offset + " outside the "
                    + virtualSize + "-byte disk or the " + src.byteSize() + "-byte buffer");
        }
        try {
            long pos = offset;
            final long end = offset + length;
            while (pos < end) {
                final long block = pos / blockSize;
                final long within = pos - block * blockSize;
                final long n = Math.min(blockSize - within, end - pos);
                final long from = pos - offset;
                int mib = blockMib.get((int) block); // volatile read: sees an allocation published by set() below
                if (mib == 0) {
                    if (isZero(src, from, n)) {
                        pos += n;
                        continue;
                    }
                    mib = allocate((int) block);
                }
                file.writeFully(from == 0 ? src : src.asSlice(from, n), n, ((long) mib << 20) + within);
                pos += n;
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    private int allocate(final int block) {
        synchronized (allocationLock) {
            int mib = blockMib.get(block);
            if (mib == 0) {
                mib = Math.toIntExact(nextFree >> 20);
                nextFree += blockSize;
                blockMib.set(block, mib); // volatile write: publishes the block's file offset to other writers
            }
            return mib;
        }
    }

    private boolean isZero(final MemorySegment src, final long from, final long n) {
        for (long at = 0; at < n; at += ZERO_CHUNK) {
            final long len = Math.min(ZERO_CHUNK, n - at);
            if (MemorySegment.mismatch(src, from + at, from + at + len, zeros, 0, len) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * fdatasync of the data written so far, for a restore's background syncs (so {@link #close}'s fsync has
     * little left). May run on another thread than {@link #write}, but never after {@link #close} or
     * {@link #abandon} started.
     */
    public void syncData() throws IOException {
        file.fdatasync();
    }

    /** Writes the BAT and the headers, extends the file over the last block, and fsyncs. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            checkUsable();
            closed = true;
            final long end;
            synchronized (allocationLock) {
                end = nextFree;
            }
            final MemorySegment bat = arena.allocate(batLength, 4096);
            for (long b = 0; b < payloadBlocks; b++) {
                final long mib = blockMib.get((int) b) & 0xFFFFFFFFL;
                if (mib != 0) {
                    bat.set(U64, payloadEntryIndex(b, chunkRatio) * 8, (mib << 20) | PAYLOAD_FULLY_PRESENT);
                }
            }
            file.writeFully(bat, batLength, BAT_OFFSET);
            file.truncate(end);
            file.fsync();
            final UUID fileWrite = UUID.randomUUID();
            final UUID dataWrite = UUID.randomUUID();
            writeHeader(HEADER1_OFFSET, 1, fileWrite, dataWrite);
            writeHeader(HEADER2_OFFSET, 2, fileWrite, dataWrite);
            file.fsync();
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        } finally {
            closed = true;
            try {
                file.close();
            } finally {
                arena.close();
            }
        }
    }

    /** Closes without finishing the file (it stays unreadable as VHDX); for a failed restore to delete it. */
    public void abandon() {
        closed = true;
        try {
            file.close();
        } catch (IOException ignored) {
            // discarding
        } finally {
            arena.close();
        }
    }

    private void writeStatic() throws IOException {
        final MemorySegment id = arena.allocate(64 * 1024, 4096);
        id.set(U64, 0, FILE_SIGNATURE);
        final byte[] creator = "Cairn".getBytes(StandardCharsets.UTF_16LE);
        MemorySegment.copy(MemorySegment.ofArray(creator), 0, id, 8, creator.length);
        file.writeFully(id, id.byteSize(), 0);

        final long metadataOffset = BAT_OFFSET + batLength;
        final MemorySegment regions = arena.allocate(REGION_LENGTH, 4096);
        regions.set(U32, 0, REGION_SIGNATURE);
        regions.set(U32, R_COUNT, 2);
        putGuid(regions, R_ENTRIES, BAT_REGION);
        regions.set(U64, R_ENTRIES + 16, BAT_OFFSET);
        regions.set(U32, R_ENTRIES + 24, (int) batLength);
        regions.set(U32, R_ENTRIES + 28, 1);
        putGuid(regions, R_ENTRIES + R_ENTRY_LENGTH, METADATA_REGION);
        regions.set(U64, R_ENTRIES + R_ENTRY_LENGTH + 16, metadataOffset);
        regions.set(U32, R_ENTRIES + R_ENTRY_LENGTH + 24, (int) MIB);
        regions.set(U32, R_ENTRIES + R_ENTRY_LENGTH + 28, 1);
        seal(regions, REGION_LENGTH);
        file.writeFully(regions, REGION_LENGTH, REGION1_OFFSET);
        file.writeFully(regions, REGION_LENGTH, REGION2_OFFSET);

        final MemorySegment meta = arena.allocate(M_ITEMS_MIN_OFFSET + 4096, 4096);
        meta.set(U64, 0, METADATA_SIGNATURE);
        meta.set(U16, M_COUNT, (short) 5);
        final long items = M_ITEMS_MIN_OFFSET;
        metadataEntry(meta, 0, FILE_PARAMETERS, items, 8, M_FLAG_REQUIRED);
        metadataEntry(meta, 1, VIRTUAL_DISK_SIZE, items + 8, 8, M_FLAG_REQUIRED | M_FLAG_VIRTUAL_DISK);
        metadataEntry(meta, 2, PAGE83_DATA, items + 16, 16, M_FLAG_REQUIRED | M_FLAG_VIRTUAL_DISK);
        metadataEntry(meta, 3, LOGICAL_SECTOR_SIZE, items + 32, 4, M_FLAG_REQUIRED | M_FLAG_VIRTUAL_DISK);
        metadataEntry(meta, 4, PHYSICAL_SECTOR_SIZE, items + 36, 4, M_FLAG_REQUIRED | M_FLAG_VIRTUAL_DISK);
        meta.set(U32, items, (int) blockSize);
        meta.set(U32, items + 4, 0);
        meta.set(U64, items + 8, virtualSize);
        putGuid(meta, items + 16, UUID.randomUUID());
        meta.set(U32, items + 32, SECTOR);
        meta.set(U32, items + 36, SECTOR);
        file.writeFully(meta, meta.byteSize(), metadataOffset);
        file.truncate(nextFree);
    }

    private static void metadataEntry(final MemorySegment meta, final int i, final UUID id, final long offset,
                                      final int length, final int flags) {
        final long e = M_ENTRIES + i * M_ENTRY_LENGTH;
        putGuid(meta, e, id);
        meta.set(U32, e + 16, (int) offset);
        meta.set(U32, e + 20, length);
        meta.set(U32, e + 24, flags);
    }

    private void writeHeader(final long at, final long sequence, final UUID fileWrite, final UUID dataWrite)
            throws IOException {
        final MemorySegment h = arena.allocate(HEADER_LENGTH, 4096);
        h.set(U32, 0, HEADER_SIGNATURE);
        h.set(U64, H_SEQUENCE, sequence);
        putGuid(h, H_FILE_WRITE_GUID, fileWrite);
        putGuid(h, H_DATA_WRITE_GUID, dataWrite);
        h.set(U16, H_LOG_VERSION, (short) 0);
        h.set(U16, H_VERSION, (short) 1);
        h.set(U32, H_LOG_LENGTH, (int) LOG_LENGTH);
        h.set(U64, H_LOG_OFFSET, LOG_OFFSET);
        seal(h, HEADER_LENGTH);
        file.writeFully(h, HEADER_LENGTH, at);
    }

    private void checkUsable() throws IOException {
        final IOException f = failure;
        if (f != null) {
            throw new IOException("VHDX writer for " + path + " failed earlier: " + f.getMessage(), f);
        }
        if (closed) {
            throw new IllegalStateException("VHDX writer for " + path + " is closed");
        }
    }

    private void fail(final Exception e) {
        if (failure == null) {
            failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private static long roundUp(final long v, final long to) {
        return (v + to - 1) / to * to;
    }
}
