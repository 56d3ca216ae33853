package io.cairn.engine.restore;

import io.cairn.engine.ring.OneToOneBlockRing;
import io.cairn.engine.source.FileBlockSource;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.PackCatalog;
import io.cairn.format.Repository;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordLayout;
import io.cairn.format.point.PointReader;
import io.cairn.nativeio.CompletionHandler;
import io.cairn.nativeio.Errno;
import io.cairn.nativeio.IoUring;
import io.cairn.nativeio.LinuxFile;
import io.cairn.nativeio.NativeIOException;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reader stage of a restore: walks the point's block map in order, sends runs of zero blocks as one message,
 * looks each data block up in the block index and reads its whole record (header and stored bytes, one request)
 * from its pack into a free slot, then deals the messages round-robin to the decode workers, so that the writer,
 * taking them back round-robin, sees block order without a reorder buffer.
 * <p>
 * Reads: packs are opened with O_DIRECT (the page cache would only hold data read once) and up to
 * {@link #QUEUE_DEPTH} reads are in flight through io_uring; without io_uring (or with
 * {@code -Dcairn.io_uring=false}) each read is a pread. An O_DIRECT read starts at the 4096 boundary at or before
 * the record and ends at the one after it; {@link RestoreSlots#recordAt} says where the record begins. Records of
 * consecutive blocks are usually adjacent in a pack, so the device sees a sequential stream.
 * <p>
 * Order: reads complete in any order, but messages leave in block order, through a small in-order queue as in
 * the backup's SourceReaderAgent: an entry leaves when it is at the head and, for a block, its read is done.
 * <p>
 * Busy time ({@link #busyNs()}): submitting reads and waiting for a read this stage needs; waiting for a free
 * slot or a worker is idle time.
 * <p>
 * Threads: its own platform thread; producer of every worker's input ring, consumer of the free ring.
 */
final class PackReadAgent implements Runnable, CompletionHandler {
    /** Reads in flight: enough for NVMe/virtio to reach its bandwidth. */
    static final int QUEUE_DEPTH = 8;
    /** Bound on catalog loads per restore (the first included); each compact run beside it needs at most one more. */
    static final int MAX_CATALOG_LOADS = 8;
    private static final int ORDER_CAPACITY = 32;
    private static final int ORDER_MASK = ORDER_CAPACITY - 1;
    private static final int ALIGNMENT = 4096;

    private final Repository repo;
    private final Consumer<CorruptRepositoryException> damaged;
    private final PointReader point;
    private final PackCatalog catalog;
    private final PackExtents extents;
    private final RestoreSlots slots;
    private final OneToOneBlockRing[] toWorkers;
    private final OneToOneBlockRing freeSlots;
    private final RestoreState state;
    private final IdleStrategy idle;
    private final int queueDepth;
    private LinuxFile[] packs;
    private int catalogLoads = 1;

    private final int[] orderType = new int[ORDER_CAPACITY];
    private final int[] orderSlot = new int[ORDER_CAPACITY];
    private final long[] orderBlockNo = new long[ORDER_CAPACITY];
    private final long[] orderCount = new long[ORDER_CAPACITY];
    private long orderHead;
    private long orderTail;
    private final boolean[] readDone;
    /** Per slot: the file offset and length of the read in flight into it. */
    private final long[] readOffset;
    private final int[] readLength;

    private IoUring ring;
    private long sequence;
    private long bytesRead;
    private long busyNs;

    PackReadAgent(final Repository repo, final Consumer<CorruptRepositoryException> damaged,
                  final PointReader point, final PackCatalog catalog, final RestoreSlots slots,
                  final OneToOneBlockRing[] toWorkers, final OneToOneBlockRing freeSlots,
                  final RestoreState state, final IdleStrategy idle, final int queueDepth) {
        this.repo = repo;
        this.damaged = damaged;
        this.point = point;
        this.catalog = catalog;
        this.extents = new PackExtents(catalog);
        this.slots = slots;
        this.toWorkers = toWorkers;
        this.freeSlots = freeSlots;
        this.state = state;
        this.idle = idle;
        this.queueDepth = queueDepth;
        this.packs = new LinuxFile[catalog.packCount()];
        this.readDone = new boolean[slots.count];
        this.readOffset = new long[slots.count];
        this.readLength = new int[slots.count];
    }

    @Override
    public void run() {
        try {
            ring = openRing();
            try {
                readAll();
            } finally {
                closeAll();
            }
        } catch (Throwable t) {
            state.fail(t);
        }
    }

    private IoUring openRing() throws IOException {
        if (queueDepth <= 1
                || !Boolean.parseBoolean(System.getProperty(FileBlockSource.IO_URING_PROPERTY, "true"))) {
            return null;
        }
        try {
            final Optional<IoUring> r = IoUring.open(queueDepth);
            return r.orElse(null);
        } catch (NativeIOException e) {
            return null; // e.g. ENOMEM under a small RLIMIT_MEMLOCK: read synchronously
        }
    }

    private void readAll() throws IOException {
        final PointReader point = this.point;
        final long count = point.blockCount();
        final long size = point.virtualSize();
        final int blockSize = slots.blockSize;
        long zeroStart = 0;
        long zeroCount = 0;
        for (long b = 0; b < count; b++) {
            if (state.failed()) {
                return;
            }
            final long hi = point.idHi(b);
            final long lo = point.idLo(b);
            if (BlockId.isZero(hi, lo)) {
                if (zeroCount == 0) {
                    zeroStart = b;
                }
                zeroCount++;
                continue;
            }
            if (zeroCount > 0) {
                enqueue(OneToOneBlockRing.ZERO_RUN, -1, zeroStart, zeroCount);
                zeroCount = 0;
            }
            long loc;
            int stored;
            while (true) { // more than one pass only when a compact beside this restore moved the block
                loc = catalog.index().get(hi, lo);
                if (loc != BlockLocation.EMPTY) {
                    try {
                        stored = extents.storedLength(BlockLocation.packOrdinal(loc), BlockLocation.recordOffset(loc));
                        pack(BlockLocation.packOrdinal(loc));
                        break;
                    } catch (NoSuchFileException gone) {
                        if (!reloadCatalog()) {
                            throw gone;
                        }
                        continue;
                    }
                }
                if (!reloadCatalog()) {
                    throw new CorruptRepositoryException(point.path(), -1, "block " + b + " (id "
                            + BlockId.toHex(hi, lo) + ") is missing from the repository: no intact pack holds it");
                }
            }
            final int ordinal = BlockLocation.packOrdinal(loc);
            final long recordOffset = BlockLocation.recordOffset(loc);
            while (ring != null && ring.inFlight() >= ring.capacity()) {
                awaitRead();
            }
            final int slot = takeFreeSlot();
            if (slot < 0) {
                return;
            }
            final RestoreSlots s = slots;
            s.blockNo[slot] = b;
            s.rawLength[slot] = (int) Math.min(blockSize, size - b * blockSize);
            s.idHi[slot] = hi;
            s.idLo[slot] = lo;
            s.packOrdinal[slot] = ordinal;
            s.recordOffset[slot] = recordOffset;
            s.storedLength[slot] = stored;
            final long from = recordOffset & -ALIGNMENT;
            final int at = (int) (recordOffset - from);
            final int needed = at + BlockRecordLayout.HEADER_LENGTH + stored;
            s.recordAt[slot] = at;
            readOffset[slot] = from;
            readLength[slot] = (needed + ALIGNMENT - 1) & -ALIGNMENT;
            readDone[slot] = false;
            enqueue(OneToOneBlockRing.BLOCK, slot, b, 1);
            final long t0 = System.nanoTime();
            submit(slot, pack(ordinal));
            busyNs += System.nanoTime() - t0;
            bytesRead += needed - at;
            if (ring != null) {
                ring.waitCompletions(0, this);
            }
            deliverInOrder();
        }
        if (zeroCount > 0) {
            enqueue(OneToOneBlockRing.ZERO_RUN, -1, zeroStart, zeroCount);
        }
        while (orderHead != orderTail) {
            if (state.failed()) {
                return;
            }
            awaitRead();
        }
        for (int i = 0; i < toWorkers.length; i++) {
            send(OneToOneBlockRing.END, -1, count, 0);
        }
    }

    private void submit(final int slot, final LinuxFile file) throws IOException {
        if (ring != null && ring.submitRead(file.fd(), slots.in[slot], readLength[slot], readOffset[slot], slot)) {
            ring.submit();
            return;
        }
        readSynchronously(slot);
    }

    /** pread of the whole request; also the fallback for an interrupted or short io_uring read. */
    private void readSynchronously(final int slot) throws IOException {
        final long n = pack(slots.packOrdinal[slot]).readFully(slots.in[slot], readLength[slot], readOffset[slot]);
        finishRead(slot, n);
    }

    @Override
    public void onCompletion(final long userData, final int result) throws IOException {
        final int slot = (int) userData;
        if (result == -Errno.EINTR || result == -Errno.EAGAIN) {
            readSynchronously(slot);
        } else if (result < 0) {
            throw IoUring.readFailure(catalog.packPath(slots.packOrdinal[slot]).toString(), readOffset[slot],
                    readLength[slot], result);
        } else if (result < needed(slot)) {
            readSynchronously(slot); // short (rare: signals, some file systems): finish with pread
        } else {
            finishRead(slot, result);
        }
    }

    private int needed(final int slot) {
        return slots.recordAt[slot] + BlockRecordLayout.HEADER_LENGTH + slots.storedLength[slot];
    }

    /** A read that ends before the record does means the pack is shorter than its footer says. */
    private void finishRead(final int slot, final long n) throws CorruptRepositoryException {
        if (n < needed(slot)) {
            throw new CorruptRepositoryException(catalog.packPath(slots.packOrdinal[slot]), slots.recordOffset[slot],
                    "block " + slots.blockNo[slot] + ": the pack ends inside this record");
        }
        readDone[slot] = true;
    }

    /**
     * Cold path: a compact beside this restore deleted a pack after the catalog was loaded (restore takes no lock,
     * FORMAT.md section 10). Reloads the catalog keeping ordinals (packs already open stay readable: an unlinked
     * file lives while it is open) and says whether a retry can help; bounded by {@link #MAX_CATALOG_LOADS}.
     */
    private boolean reloadCatalog() throws IOException {
        if (catalogLoads >= MAX_CATALOG_LOADS) {
            return false;
        }
        catalogLoads++;
        return catalog.reload(repo, damaged) > 0;
    }

    /** The pack's descriptor, opened on first use (cold path). */
    private LinuxFile pack(final int ordinal) throws IOException {
        if (ordinal >= packs.length) { // the catalog was reloaded and grew
            packs = java.util.Arrays.copyOf(packs, catalog.packCount());
        }
        LinuxFile f = packs[ordinal];
        if (f == null) {
            try {
                f = LinuxFile.openRead(catalog.packPath(ordinal), true);
            } catch (NativeIOException e) {
                if (e.errno() == Errno.ENOENT) { // deleted by a compact beside this restore
                    throw new NoSuchFileException(catalog.packPath(ordinal).toString());
                }
                throw e;
            }
            packs[ordinal] = f;
        }
        return f;
    }

    private void enqueue(final int type, final int slot, final long blockNo, final long count) throws IOException {
        while (orderTail - orderHead == ORDER_CAPACITY) {
            awaitRead();
        }
        final int i = (int) (orderTail & ORDER_MASK);
        orderType[i] = type;
        orderSlot[i] = slot;
        orderBlockNo[i] = blockNo;
        orderCount[i] = count;
        orderTail++;
        deliverInOrder();
    }

    /** Waits for at least one read to complete (if any is in flight), then sends what has become sendable. */
    private void awaitRead() throws IOException {
        if (ring != null && ring.inFlight() > 0) {
            final long t0 = System.nanoTime();
            ring.waitCompletions(1, this);
            busyNs += System.nanoTime() - t0;
        }
        deliverInOrder();
    }

    private void deliverInOrder() {
        while (orderHead != orderTail) {
            final int i = (int) (orderHead & ORDER_MASK);
            final int type = orderType[i];
            final int slot = orderSlot[i];
            if (type == OneToOneBlockRing.BLOCK && !readDone[slot]) {
                return;
            }
            send(type, slot, orderBlockNo[i], orderCount[i]);
            orderHead++;
        }
    }

    /** A free slot; while none is free, completes reads in flight (their delivery frees slots downstream). */
    private int takeFreeSlot() throws IOException {
        idle.reset();
        while (!freeSlots.poll()) {
            if (state.failed()) {
                return -1;
            }
            if (ring != null && ring.inFlight() > 0) {
                awaitRead();
            } else {
                idle.idle();
            }
        }
        return freeSlots.lastSlot();
    }

    private void send(final int type, final int slot, final long blockNo, final long count) {
        final OneToOneBlockRing r = toWorkers[(int) (sequence % toWorkers.length)];
        idle.reset();
        while (!r.offer(type, slot, blockNo, count)) {
            if (state.failed()) {
                return;
            }
            idle.idle();
        }
        sequence++;
    }

    private void closeAll() throws IOException {
        IOException first = null;
        if (ring != null) {
            try {
                ring.close(); // waits for reads in flight: no buffer is written after this
            } catch (IOException e) {
                first = e;
            }
        }
        for (LinuxFile f : packs) {
            if (f != null) {
                try {
                    f.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    long bytesRead() {
        return bytesRead;
    }

    long busyNs() {
        return busyNs;
    }

    /** True when reads went through io_uring. */
    boolean async() {
        return ring != null;
    }
}
