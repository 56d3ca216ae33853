package io.cairn.engine.source.vhdx;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.cairn.engine.source.vhdx.VhdxLayout.*;

/**
 * Reads the virtual disk of a VHDX file (fixed, dynamic or differencing, MS-VHDX) without writing to it.
 * <p>
 * Open: file identifier, current header, log replay into an in-memory overlay when the header's log GUID is set
 * ({@link VhdxLog}), region table, metadata, BAT (validated entry by entry), and for a differencing disk its parent
 * chain (at most {@value #MAX_CHAIN_DEPTH} files, found through the parent locator, checked against
 * {@code parent_linkage}). Every offset, length and count read from a file is bounded before it is used.
 * <p>
 * Threads: {@link #read}, {@link #nextData} and {@link #nextHole} from one thread at a time (scratch is shared).
 */
public final class VhdxReader implements AutoCloseable {
    /** Longest chain of differencing disks followed, the disk itself included. */
    public static final int MAX_CHAIN_DEPTH = 64;

    private final VhdxFile file;
    private final VhdxHeaders.Header header;
    private final VhdxMetadata meta;
    private final VhdxBat bat;
    private final VhdxReader parent;
    private final boolean logReplayed;
    private final MemorySegment bitmap;

    private VhdxReader(final VhdxFile file, final VhdxHeaders.Header header, final VhdxMetadata meta,
                       final VhdxBat bat, final VhdxReader parent, final boolean logReplayed) {
        this.file = file;
        this.header = header;
        this.meta = meta;
        this.bat = bat;
        this.parent = parent;
        this.logReplayed = logReplayed;
        final long sectorsPerBlock = meta.blockSize() / meta.logicalSectorSize();
        this.bitmap = meta.hasParent() ? file.arena().allocate(sectorsPerBlock / 8 + 8, 8) : null;
    }

    /** Opens a VHDX file and, for a differencing disk, its parents. */
    public static VhdxReader open(final Path path) throws IOException {
        return open(path, new ArrayList<>());
    }

    private static VhdxReader open(final Path path, final List<Path> chain) throws IOException {
        final Path real = path.toRealPath();
        if (chain.contains(real)) {
            throw new CorruptVhdxException(path, -1, "parent chain loops back to " + real);
        }
        if (chain.size() >= MAX_CHAIN_DEPTH) {
            throw new CorruptVhdxException(path, -1, "parent chain is longer than " + MAX_CHAIN_DEPTH + " files");
        }
        chain.add(real);
        final VhdxFile file = VhdxFile.open(path);
        VhdxReader parent = null;
        try {
            VhdxHeaders.checkIdentifier(file);
            final VhdxHeaders.Header header = VhdxHeaders.currentHeader(file);
            boolean replayed = false;
            if (header.hasLog()) {
                final LogOverlay overlay = VhdxLog.replay(file, header);
                file.overlay(overlay);
                replayed = !overlay.isEmpty();
            }
            final VhdxHeaders.Regions regions = VhdxHeaders.regions(file);
            final VhdxMetadata meta = VhdxMetadata.parse(file, regions.metadataOffset(), regions.metadataLength());
            final VhdxBat bat = VhdxBat.load(file, regions, meta);
            if (meta.hasParent()) {
                parent = open(locateParent(path, meta.parentLocator()), chain);
                checkLinkage(path, meta.parentLocator(), parent);
                if (parent.meta.logicalSectorSize() != meta.logicalSectorSize()) {
                    throw new CorruptVhdxException(path, -1, "parent " + parent.file.path() + " has "
                            + parent.meta.logicalSectorSize() + "-byte sectors, this disk "
                            + meta.logicalSectorSize());
                }
            }
            return new VhdxReader(file, header, meta, bat, parent, replayed);
        } catch (IOException | RuntimeException e) {
            try {
                if (parent != null) {
                    parent.close();
                }
            } finally {
                file.close();
            }
            throw e;
        }
    }

    /** relative_path (to this file's directory), then absolute_win32_path when it is a path of this system. */
    private static Path locateParent(final Path child, final Map<String, String> keys) throws IOException {
        final List<String> tried = new ArrayList<>();
        final Path dir = child.toAbsolutePath().getParent();
        final String relative = keys.get("relative_path");
        if (relative != null) {
            String r = relative.replace('\\', '/');
            while (r.startsWith("./")) {
                r = r.substring(2);
            }
            final Path p = dir.resolve(r);
            if (Files.isRegularFile(p)) {
                return p;
            }
            tried.add(p.toString());
        }
        for (String key : new String[]{"absolute_win32_path", "volume_path"}) {
            final String v = keys.get(key);
            if (v != null && v.startsWith("/")) {
                final Path p = Path.of(v);
                if (Files.isRegularFile(p)) {
                    return p;
                }
                tried.add(p.toString());
            }
        }
        throw new CorruptVhdxException(child, -1, "parent disk not found (tried " + (tried.isEmpty()
                ? "nothing: the locator has no relative_path or absolute path" : String.join(", ", tried)) + ")");
    }

    private static void checkLinkage(final Path child, final Map<String, String> keys, final VhdxReader parent)
            throws IOException {
        final String want = braced(parent.header.dataWriteGuid());
        final String l1 = keys.get("parent_linkage");
        final String l2 = keys.get("parent_linkage2");
        if (!want.equalsIgnoreCase(l1) && !want.equalsIgnoreCase(l2)) {
            throw new CorruptVhdxException(child, -1, "parent " + parent.file.path() + " has DataWriteGuid " + want
                    + " but the locator's parent_linkage is " + l1 + ": the parent changed since this child was made");
        }
    }

    /** Virtual disk size in bytes. */
    public long size() {
        return meta.virtualSize();
    }

    public long blockSize() {
        return meta.blockSize();
    }

    public int logicalSectorSize() {
        return meta.logicalSectorSize();
    }

    public boolean hasParent() {
        return meta.hasParent();
    }

    /** The parent of a differencing disk, or null. */
    public VhdxReader parent() {
        return parent;
    }

    /** True when the file's log held an active sequence, replayed in memory (the file was left as it is). */
    public boolean logReplayed() {
        return logReplayed;
    }

    public UUID dataWriteGuid() {
        return header.dataWriteGuid();
    }

    public UUID page83() {
        return meta.page83();
    }

    public Path path() {
        return file.path();
    }

    /** Payload bytes allocated in this file (not its parents). */
    public long allocatedBytes() {
        return bat.allocatedBytes(meta.blockSize());
    }

    /**
     * Reads {@code length} bytes of the virtual disk at {@code offset} into dst at dstOffset (dst native). Bytes
     * past the virtual size read as zeros.
     */
    public void read(final MemorySegment dst, final long dstOffset, final long offset, final long length)
            throws IOException {
        final long size = meta.virtualSize();
        final long blockSize = meta.blockSize();
        final long end = offset + length;
        long pos = offset;
        while (pos < end) {
            if (pos >= size) {
                dst.asSlice(dstOffset + pos - offset, end - pos).fill((byte) 0);
                return;
            }
            final long block = pos / blockSize;
            final long within = pos - block * blockSize;
            final long n = Math.min(Math.min(blockSize - within, end - pos), size - pos);
            final long entry = bat.payload(block);
            final long at = dstOffset + pos - offset;
            switch ((int) (entry & 7)) {
                case PAYLOAD_FULLY_PRESENT -> file.read((entry & BAT_OFFSET_MASK) + within, dst, at, n);
                case PAYLOAD_PARTIALLY_PRESENT -> readPartial(block, entry, within, dst, at, n);
                case PAYLOAD_NOT_PRESENT -> {
                    if (parent != null) {
                        parent.read(dst, at, pos, n);
                    } else {
                        dst.asSlice(at, n).fill((byte) 0);
                    }
                }
                default -> dst.asSlice(at, n).fill((byte) 0); // UNDEFINED, ZERO, UNMAPPED (3 and v0.95's 5)
            }
            pos += n;
        }
    }

    /** A block of a differencing disk: its sector bitmap says, sector by sector, this file (1) or the parent (0). */
    private void readPartial(final long block, final long entry, final long within, final MemorySegment dst,
                             final long at, final long n) throws IOException {
        final long sector = meta.logicalSectorSize();
        final long sectorsPerBlock = meta.blockSize() / sector;
        final long firstBit = (block % bat.chunkRatio()) * sectorsPerBlock + within / sector;
        final long lastBit = (block % bat.chunkRatio()) * sectorsPerBlock + (within + n - 1) / sector;
        final long firstByte = firstBit / 8;
        final long bytes = lastBit / 8 - firstByte + 1;
        file.read((bat.bitmapOf(block) & BAT_OFFSET_MASK) + firstByte, bitmap, 0, bytes);
        long pos = within;
        final long end = within + n;
        while (pos < end) {
            final boolean present = bit(firstBit - firstByte * 8 + pos / sector - within / sector);
            long runEnd = (pos / sector + 1) * sector;
            while (runEnd < end && bit(firstBit - firstByte * 8 + runEnd / sector - within / sector) == present) {
                runEnd += sector;
            }
            runEnd = Math.min(runEnd, end);
            final long to = at + pos - within;
            if (present) {
                file.read((entry & BAT_OFFSET_MASK) + pos, dst, to, runEnd - pos);
            } else {
                parent.read(dst, to, block * meta.blockSize() + pos, runEnd - pos);
            }
            pos = runEnd;
        }
    }

    private boolean bit(final long index) {
        return (bitmap.get(java.lang.foreign.ValueLayout.JAVA_BYTE, index >>> 3) & (1 << (index & 7))) != 0;
    }

    /** Start of the next byte at or after offset that may hold data, or -1 when only zeros follow. */
    public long nextData(final long offset) throws IOException {
        final long size = meta.virtualSize();
        final long blockSize = meta.blockSize();
        long parentData = Long.MIN_VALUE; // parent's nextData answer, valid while pos <= it (or -1: none left)
        long pos = Math.max(0, offset);
        while (pos < size) {
            final long block = pos / blockSize;
            final long blockEnd = Math.min(size, (block + 1) * blockSize);
            final int state = (int) (bat.payload(block) & 7);
            if (state == PAYLOAD_FULLY_PRESENT || state == PAYLOAD_PARTIALLY_PRESENT) {
                return pos;
            }
            if (state == PAYLOAD_NOT_PRESENT && parent != null && parentData != -1) {
                if (parentData < pos) {
                    parentData = parent.nextData(pos);
                }
                if (parentData >= 0 && parentData < blockEnd) {
                    return parentData;
                }
            }
            pos = blockEnd;
        }
        return -1;
    }

    /** End of the data extent holding offset: the next offset that reads as zeros from a hole, or size(). */
    public long nextHole(final long offset) throws IOException {
        final long size = meta.virtualSize();
        final long blockSize = meta.blockSize();
        long parentHole = Long.MIN_VALUE; // parent's nextHole answer, valid while pos < it
        long pos = Math.max(0, offset);
        while (pos < size) {
            final long block = pos / blockSize;
            final long blockEnd = Math.min(size, (block + 1) * blockSize);
            final int state = (int) (bat.payload(block) & 7);
            if (state == PAYLOAD_NOT_PRESENT && parent != null) {
                if (parentHole <= pos) {
                    parentHole = pos >= parent.size() ? pos : parent.nextHole(pos);
                }
                final long hole = Math.min(parentHole, size);
                if (hole < blockEnd) {
                    return hole;
                }
            } else if (state != PAYLOAD_FULLY_PRESENT && state != PAYLOAD_PARTIALLY_PRESENT) {
                return pos;
            }
            pos = blockEnd;
        }
        return size;
    }

    @Override
    public void close() throws IOException {
        try {
            if (parent != null) {
                parent.close();
            }
        } finally {
            file.close();
        }
    }
}
