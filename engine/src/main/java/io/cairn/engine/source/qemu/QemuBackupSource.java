package io.cairn.engine.source.qemu;

import io.cairn.engine.source.BlockSource;
import io.cairn.engine.source.ChangeTracking;
import io.cairn.engine.source.nbd.NbdBlockSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The frozen view of a {@link FleecingSession} as a backup source: reads go to the NBD export of the fleecing
 * node; change tracking is the frozen base bitmap (described as {@code qemu-bitmap:NAME} and tied to the restore
 * point it starts at), or none; the manifest records the node and the bitmap that records writes after this point.
 */
public final class QemuBackupSource implements BlockSource {
    private final NbdBlockSource nbd;
    private final FleecingSession session;
    private final Path qmpSocket;
    private ChangeTracking tracking;

    private QemuBackupSource(final NbdBlockSource nbd, final FleecingSession session, final Path qmpSocket) {
        this.nbd = nbd;
        this.session = session;
        this.qmpSocket = qmpSocket;
    }

    /** Connects to the session's export (with its base bitmap's meta context when it has one). */
    public static QemuBackupSource open(final FleecingSession session, final Path qmpSocket, final Duration timeout)
            throws IOException {
        final NbdBlockSource nbd = NbdBlockSource.open(session.address(), session.baseBitmap(), timeout);
        if (nbd.size() != session.size()) {
            nbd.close();
            throw new IOException("the fleecing export has " + nbd.size() + " bytes, node '"
                    + session.names().node() + "' " + session.size());
        }
        return new QemuBackupSource(nbd, session, qmpSocket);
    }

    @Override
    public long size() {
        return nbd.size();
    }

    @Override
    public String describe() {
        return "qmp:" + qmpSocket + " node=" + session.names().node();
    }

    @Override
    public String identity() {
        return "qemu node " + session.names().node() + " via " + qmpSocket + " size=" + nbd.size();
    }

    @Override
    public long nextData(final long offset) throws IOException {
        return nbd.nextData(offset);
    }

    @Override
    public long nextHole(final long offset) throws IOException {
        return nbd.nextHole(offset);
    }

    @Override
    public void read(final MemorySegment dst, final long offset, final int length) throws IOException {
        nbd.read(dst, offset, length);
    }

    @Override
    public Optional<AsyncReader> asyncReader(final int depth) throws IOException {
        return nbd.asyncReader(depth);
    }

    @Override
    public ChangeTracking changeTracking() throws IOException {
        final ChangeTracking bitmap = nbd.changeTracking();
        if (bitmap == null) {
            return null;
        }
        if (tracking == null) {
            final String name = "qemu-bitmap:" + session.baseBitmap();
            final String base = session.basePointId();
            tracking = new ChangeTracking() {
                @Override
                public String describe() {
                    return name;
                }

                @Override
                public long nextChanged(final long offset) throws IOException {
                    return bitmap.nextChanged(offset);
                }

                @Override
                public long changedEnd(final long offset) throws IOException {
                    return bitmap.changedEnd(offset);
                }

                @Override
                public long changedBytes() {
                    return bitmap.changedBytes();
                }

                @Override
                public String basePointId() {
                    return base;
                }
            };
        }
        return tracking;
    }

    @Override
    public Map<String, String> manifestEntries() {
        return Map.of(BitmapLineage.NODE_KEY, session.names().node(), BitmapLineage.BITMAP_KEY,
                session.nextBitmap());
    }

    @Override
    public void close() throws IOException {
        nbd.close();
    }
}
