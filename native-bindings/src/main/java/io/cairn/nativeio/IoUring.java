package io.cairn.nativeio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Optional;

import static io.cairn.nativeio.IoUringLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A minimal io_uring over raw system calls: reads ({@code IORING_OP_READ}) into off-heap segments with several in
 * flight, so one thread keeps a device's queue full without a thread per request.
 *
 * <p>Use: {@link #open(int)} (empty when the kernel, a sysctl or a seccomp filter refuses io_uring; fall back to
 * {@link LinuxFile#pread}), then {@link #submitRead} for each read, {@link #submit()} to hand them to the kernel, and
 * {@link #waitCompletions} to take results. A negative result is a negated errno; turn it into an exception with
 * {@link #readFailure}.
 *
 * <p>Threads: not thread-safe. One thread owns a ring from open to close (the engine's reader agent).
 *
 * <p>Memory ordering with the kernel, which runs on other CPUs and reads or writes the shared ring indices:
 * <ul>
 *   <li>SQ: this thread writes the SQE, then publishes the SQ tail with {@code setRelease}; the kernel reads the
 *   tail with acquire semantics, so it sees the complete SQE. The kernel's SQ head is read with
 *   {@code getAcquire} before an SQE slot is considered free.</li>
 *   <li>CQ: the kernel writes a CQE, then the CQ tail with release semantics; this thread reads the tail with
 *   {@code getAcquire} before reading CQEs, and publishes the CQ head with {@code setRelease} after reading one,
 *   so the kernel never overwrites a CQE still being read.</li>
 * </ul>
 *
 * <p>Capacity: at most {@link #capacity()} reads are in flight (submitted or queued, not yet reaped); the CQ has
 * twice as many entries, so completions can never overflow it. {@link #submitRead} returns false when full.
 *
 * <p>Allocation: submitRead, submit and waitCompletions allocate nothing (errno goes to this ring's own capture
 * segment). Open and close allocate.
 *
 * <p>Buffers: the kernel writes into {@code dst} after submitRead returns, until the completion is reaped. Keep
 * the segment alive until then; {@link #close()} waits for every read in flight, so closing the ring before
 * freeing buffers is always safe.
 */
public final class IoUring implements AutoCloseable {
    /** Coordinates (MemorySegment, long offset): the ring indices shared with the kernel. */
    private static final VarHandle RING_INT = JAVA_INT.varHandle();

    private final Arena arena;
    private final MemorySegment capture;
    private final int ringFd;
    /** SQ and CQ rings in one mapping (IORING_FEAT_SINGLE_MMAP). */
    private final MemorySegment rings;
    private final long ringsLength;
    private final MemorySegment sqes;
    private final long sqesLength;
    private final int capacity;
    private final int sqMask;
    private final int cqMask;
    private final long sqHeadOffset;
    private final long sqTailOffset;
    private final long cqHeadOffset;
    private final long cqTailOffset;
    private final long cqesOffset;

    /** Next SQ index to fill (not yet visible to the kernel until published). */
    private int sqTail;
    /** The SQ tail last published to the kernel. */
    private int sqTailPublished;
    /** Next CQ index to read; only this thread writes the CQ head. */
    private int cqHead;
    private int inFlight;
    private boolean closed;

    private IoUring(final Arena arena, final MemorySegment capture, final int ringFd, final MemorySegment params,
                    final MemorySegment rings, final long ringsLength, final MemorySegment sqes,
                    final long sqesLength) {
        this.arena = arena;
        this.capture = capture;
        this.ringFd = ringFd;
        this.rings = rings;
        this.ringsLength = ringsLength;
        this.sqes = sqes;
        this.sqesLength = sqesLength;
        this.capacity = params.get(JAVA_INT, PARAMS_SQ_ENTRIES);
        this.sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, PARAMS_SQ_OFF + SQ_OFF_RING_MASK));
        this.cqMask = rings.get(JAVA_INT, params.get(JAVA_INT, PARAMS_CQ_OFF + CQ_OFF_RING_MASK));
        this.sqHeadOffset = params.get(JAVA_INT, PARAMS_SQ_OFF + SQ_OFF_HEAD);
        this.sqTailOffset = params.get(JAVA_INT, PARAMS_SQ_OFF + SQ_OFF_TAIL);
        this.cqHeadOffset = params.get(JAVA_INT, PARAMS_CQ_OFF + CQ_OFF_HEAD);
        this.cqTailOffset = params.get(JAVA_INT, PARAMS_CQ_OFF + CQ_OFF_TAIL);
        this.cqesOffset = params.get(JAVA_INT, PARAMS_CQ_OFF + CQ_OFF_CQES);
        // Plain reads: nothing is in flight yet, and io_uring_setup returned before we looked.
        this.sqTail = rings.get(JAVA_INT, sqTailOffset);
        this.sqTailPublished = sqTail;
        this.cqHead = rings.get(JAVA_INT, cqHeadOffset);
        // SQ array: index i -> SQE i, once (as liburing does); SQEs are then used in ring order.
        final long array = params.get(JAVA_INT, PARAMS_SQ_OFF + SQ_OFF_ARRAY);
        for (int i = 0; i < capacity; i++) {
            rings.set(JAVA_INT, array + 4L * i, i);
        }
        sqes.fill((byte) 0); // fields we never set (buf_index, personality, addr3...) stay zero
    }

    /** True when io_uring with IORING_OP_READ is usable here (probed once, with a 2-entry ring). */
    public static boolean available() {
        return Probe.REASON == null;
    }

    /** Why io_uring is not usable (kernel, sysctl, seccomp, native access); empty when it is. */
    public static String unavailableReason() {
        return Probe.REASON == null ? "" : Probe.REASON;
    }

    /**
     * Sets up a ring for {@code entries} reads in flight (rounded up to a power of two by the kernel).
     *
     * @return empty when io_uring is unavailable ({@link #unavailableReason()} says why): use synchronous reads
     * @throws NativeIOException when io_uring is available but this ring cannot be made (ENOMEM, EMFILE)
     */
    public static Optional<IoUring> open(final int entries) throws IOException {
        if (entries < 1 || entries > MAX_ENTRIES) {
            throw new IllegalArgumentException("io_uring entries " + entries + " outside [1, " + MAX_ENTRIES + "]");
        }
        if (!available()) {
            return Optional.empty();
        }
        final Arena arena = Arena.ofShared();
        try {
            return Optional.of(create(arena, entries));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static IoUring create(final Arena arena, final int entries) throws IOException {
        final MemorySegment capture = arena.allocate(Linker.Option.captureStateLayout());
        final MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
        final int fd = UringCalls.setup(capture, entries, params);
        if (fd < 0) {
            throw NativeIOException.of("io_uring_setup", null, "entries=" + entries, LibC.errno(capture));
        }
        long ringsAddress = MAP_FAILED;
        long ringsLength = 0;
        try {
            if ((params.get(JAVA_INT, PARAMS_FEATURES) & IORING_FEAT_SINGLE_MMAP) == 0) {
                throw new NativeIOException("io_uring_setup", null, "entries=" + entries, Errno.EOPNOTSUPP,
                    "kernel lacks IORING_FEAT_SINGLE_MMAP (before 5.4)");
            }
            final long sqLength = params.get(JAVA_INT, PARAMS_SQ_OFF + SQ_OFF_ARRAY)
                + 4L * params.get(JAVA_INT, PARAMS_SQ_ENTRIES);
            final long cqLength = params.get(JAVA_INT, PARAMS_CQ_OFF + CQ_OFF_CQES)
                + CQE_SIZE * params.get(JAVA_INT, PARAMS_CQ_ENTRIES);
            ringsLength = Math.max(sqLength, cqLength);
            ringsAddress = map(capture, ringsLength, fd, IORING_OFF_SQ_RING, "SQ/CQ rings");
            final long sqesLength = SQE_SIZE * params.get(JAVA_INT, PARAMS_SQ_ENTRIES);
            final long sqesAddress = map(capture, sqesLength, fd, IORING_OFF_SQES, "SQEs");
            return new IoUring(arena, capture, fd, params, UringCalls.segment(ringsAddress, ringsLength),
                ringsLength, UringCalls.segment(sqesAddress, sqesLength), sqesLength);
        } catch (IOException | RuntimeException e) {
            if (ringsAddress != MAP_FAILED) {
                UringCalls.munmap(capture, ringsAddress, ringsLength);
            }
            LibC.close(capture, fd);
            throw e;
        }
    }

    private static long map(final MemorySegment capture, final long length, final int fd, final long offset,
                            final String what) throws NativeIOException {
        final long address = UringCalls.mmap(capture, length, fd, offset);
        if (address == MAP_FAILED) {
            throw NativeIOException.of("mmap", null, what + ", length=" + length + ", offset=0x"
                + Long.toHexString(offset), LibC.errno(capture));
        }
        return address;
    }

    /** The most reads that may be in flight at once (the SQ size the kernel chose, a power of two). */
    public int capacity() {
        return capacity;
    }

    /** Reads queued or submitted whose completion has not been reaped yet. */
    public int inFlight() {
        return inFlight;
    }

    /**
     * Queues {@code read(fd, dst, length)} at file offset {@code offset}; the kernel sees it at the next
     * {@link #submit()} or {@link #waitCompletions}.
     *
     * @param dst      a native, writable segment of at least {@code length} bytes; for O_DIRECT, 4096-aligned
     * @param userData returned with the completion, e.g. a slot number
     * @return false, queueing nothing, when {@link #capacity()} reads are already in flight
     */
    public boolean submitRead(final int fd, final MemorySegment dst, final int length, final long offset,
                              final long userData) {
        if (inFlight >= capacity) {
            return false;
        }
        if (!dst.isNative() || dst.isReadOnly() || length < 0 || length > dst.byteSize() || offset < 0) {
            throw new IllegalArgumentException("bad read: native=" + dst.isNative() + ", readOnly="
                + dst.isReadOnly() + ", length=" + length + ", segment=" + dst.byteSize() + ", offset=" + offset);
        }
        ensureOpen();
        final MemorySegment sqes = this.sqes;
        final long sqe = SQE_SIZE * (sqTail & sqMask);
        sqes.set(JAVA_BYTE, sqe + SQE_OPCODE, IORING_OP_READ);
        sqes.set(JAVA_BYTE, sqe + SQE_FLAGS, (byte) 0);
        sqes.set(JAVA_INT, sqe + SQE_FD, fd);
        sqes.set(JAVA_LONG, sqe + SQE_OFF, offset);
        sqes.set(JAVA_LONG, sqe + SQE_ADDR, dst.address());
        sqes.set(JAVA_INT, sqe + SQE_LEN, length);
        sqes.set(JAVA_INT, sqe + SQE_RW_FLAGS, 0);
        sqes.set(JAVA_LONG, sqe + SQE_USER_DATA, userData);
        sqTail++;
        inFlight++;
        return true;
    }

    /**
     * Hands every queued read to the kernel (io_uring_enter, no wait).
     *
     * @return the number of reads the kernel took
     * @throws NativeIOException when io_uring_enter fails (not for a failing read: that is a completion)
     */
    public int submit() throws IOException {
        ensureOpen();
        return enter(0, 0);
    }

    /**
     * Takes at least {@code min} completions (fewer only if fewer are in flight: {@code min} is capped at
     * {@link #inFlight()}), submitting queued reads first, and passes each to {@code handler} in completion order.
     * With {@code min == 0} it only takes what has already completed and never enters the kernel.
     *
     * @return the number of completions passed to the handler
     */
    public int waitCompletions(final int min, final CompletionHandler handler) throws IOException {
        ensureOpen();
        final int want = Math.min(min, inFlight);
        int done = reap(handler);
        while (done < want) {
            enter(want - done, IORING_ENTER_GETEVENTS);
            done += reap(handler);
        }
        return done;
    }

    /** Publishes the SQ tail and calls io_uring_enter; retried on EINTR. Returns the SQEs consumed. */
    private int enter(final int minComplete, final int flags) throws NativeIOException {
        if (sqTail != sqTailPublished) {
            // release: the SQEs written by submitRead are complete before the kernel can see the new tail
            RING_INT.setRelease(rings, sqTailOffset, sqTail);
            sqTailPublished = sqTail;
        }
        // acquire: pairs with the kernel's release of the SQ head after it consumed SQEs
        final int toSubmit = sqTail - (int) RING_INT.getAcquire(rings, sqHeadOffset);
        if (toSubmit == 0 && minComplete == 0) {
            return 0;
        }
        while (true) {
            final int n = UringCalls.enter(capture, ringFd, toSubmit, minComplete, flags);
            if (n >= 0) {
                return n;
            }
            final int errno = LibC.errno(capture);
            if (errno != Errno.EINTR) {
                throw NativeIOException.of("io_uring_enter", null, "to_submit=" + toSubmit + ", min_complete="
                    + minComplete + ", flags=" + flags, errno);
            }
        }
    }

    private int reap(final CompletionHandler handler) throws IOException {
        final MemorySegment rings = this.rings;
        // acquire: pairs with the kernel's release of the CQ tail, so the CQEs before it are fully written
        final int tail = (int) RING_INT.getAcquire(rings, cqTailOffset);
        int n = 0;
        while (cqHead != tail) {
            final long cqe = cqesOffset + CQE_SIZE * (cqHead & cqMask);
            final long userData = rings.get(JAVA_LONG, cqe + CQE_USER_DATA);
            final int result = rings.get(JAVA_INT, cqe + CQE_RES);
            cqHead++;
            // release: this CQE has been read; the kernel may now reuse its slot
            RING_INT.setRelease(rings, cqHeadOffset, cqHead);
            inFlight--;
            n++;
            handler.onCompletion(userData, result);
        }
        return n;
    }

    /**
     * The exception for a failed read completion: names io_uring read, the path (null if unknown), the offset
     * and length, and the errno, like {@code io_uring read(/img, offset=4096, length=1048576) failed: EIO (...)}.
     *
     * @param result the negative completion result
     */
    public static NativeIOException readFailure(final String path, final long offset, final int length,
                                                final int result) {
        return NativeIOException.of("io_uring read", path, "offset=" + offset + ", length=" + length, -result);
    }

    /**
     * Waits for every read in flight (so the kernel writes into no buffer after this returns; their results are
     * dropped), then unmaps the rings and closes the descriptor. Later calls do nothing.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = null;
        try {
            waitCompletions(inFlight, (userData, result) -> { });
        } catch (final IOException e) {
            failure = e;
        }
        closed = true;
        UringCalls.munmap(capture, sqes.address(), sqesLength);
        UringCalls.munmap(capture, rings.address(), ringsLength);
        LibC.close(capture, ringFd);
        arena.close();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "IoUring[fd=" + ringFd + ", capacity=" + capacity + ", inFlight=" + inFlight + "]";
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("io_uring is closed");
        }
    }

    /** Runs the probe on first use only, after native access was found usable. */
    private static final class Probe {
        static final String REASON = IoUringProbe.probe();
    }
}
