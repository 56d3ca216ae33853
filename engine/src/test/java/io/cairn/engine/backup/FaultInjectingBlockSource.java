package io.cairn.engine.backup;

import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.ChangeTracking;
import io.cairn.nativeio.Errno;
import io.cairn.nativeio.NativeIOException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * A real source with a failing disk under it: the first {@code goodReads} reads pass through, the next one fails
 * with EIO exactly as a {@code pread} on a bad sector reports it (a {@link NativeIOException} naming the call, the
 * path, the offset and the length), and so does every read after it. Before failing it fills the caller's buffer
 * with garbage (0xEE), as a device may leave half a transfer behind, so a test can prove that those bytes are never
 * recorded as data.
 * <p>
 * Both read paths fail alike: {@link #read} (synchronous) and, when {@code async} is set, the delegate's
 * {@link BlockSource.AsyncReader} (the failing read is reported by {@code complete}, as io_uring reports a failed
 * completion).
 */
final class FaultInjectingBlockSource implements BlockSource {
    static final byte GARBAGE = (byte) 0xEE;

    private final BlockSource delegate;
    private final String path;
    private final long goodReads;
    private final boolean async;
    private long reads;
    private NativeIOException failure;

    FaultInjectingBlockSource(final BlockSource delegate, final String path, final long goodReads,
                              final boolean async) {
        this.delegate = delegate;
        this.path = path;
        this.goodReads = goodReads;
        this.async = async;
    }

    /** The injected error, once a read has failed (null before). */
    NativeIOException failure() {
        return failure;
    }

    /** Counts a read; returns the EIO to throw if this read is one that fails (after spoiling the buffer). */
    private NativeIOException countRead(final MemorySegment dst, final long offset, final int length) {
        if (reads++ < goodReads) {
            return null;
        }
        dst.asSlice(0, length).fill(GARBAGE);
        final NativeIOException e = new NativeIOException("pread", path, "offset=" + offset + ", length=" + length,
                Errno.EIO);
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    @Override
    public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
        final NativeIOException e = countRead(dst, offset, length);
        if (e != null) {
            throw e;
        }
        delegate.read(dst, offset, length);
    }

    @Override
    public Optional<AsyncReader> asyncReader(final int depth) throws IOException {
        if (!async) {
            return Optional.empty();
        }
        final Optional<AsyncReader> real = delegate.asyncReader(depth);
        return real.map(FailingAsyncReader::new);
    }

    @Override
    public long size() {
        return delegate.size();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public String identity() {
        return delegate.identity();
    }

    @Override
    public long nextData(final long offset) throws IOException {
        return delegate.nextData(offset);
    }

    @Override
    public long nextHole(final long offset) throws IOException {
        return delegate.nextHole(offset);
    }

    @Override
    public ChangeTracking changeTracking() throws IOException {
        return delegate.changeTracking();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** Passes reads to the real async reader until the failing one, which {@link #complete} then reports. */
    private final class FailingAsyncReader implements AsyncReader {
        private final AsyncReader real;
        private NativeIOException pending;

        FailingAsyncReader(final AsyncReader real) {
            this.real = real;
        }

        @Override
        public int depth() {
            return real.depth();
        }

        @Override
        public int inFlight() {
            return real.inFlight() + (pending != null ? 1 : 0);
        }

        @Override
        public boolean submit(final MemorySegment dst, final long offset, final int length, final int tag)
                throws IOException {
            if (inFlight() >= depth()) {
                return false;
            }
            final NativeIOException e = countRead(dst, offset, length);
            if (e != null) {
                if (pending == null) {
                    pending = e;
                }
                return true;
            }
            return real.submit(dst, offset, length, tag);
        }

        @Override
        public int complete(final int min, final IntConsumer done) throws IOException {
            if (pending != null) {
                throw pending;
            }
            return real.complete(min, done);
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }
}
