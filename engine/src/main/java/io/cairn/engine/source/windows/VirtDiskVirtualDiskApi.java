package io.cairn.engine.source.windows;

import io.cairn.nativeio.windows.ChangeTrackingState;
import io.cairn.nativeio.windows.QueryChangesBuffer;
import io.cairn.nativeio.windows.VirtualDisk;
import io.cairn.nativeio.windows.VirtualDiskSize;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@link VirtualDiskApi} over the FFM bindings in {@code io.cairn.nativeio.windows}. On Linux,
 * {@link #openReadOnly} throws UnsupportedOperationException with
 * {@code WindowsNative.unavailableReason()}. Not run on Windows: see the package documentation.
 */
public final class VirtDiskVirtualDiskApi implements VirtualDiskApi {
    @Override
    public Disk openReadOnly(final String path) throws IOException {
        final VirtualDisk disk = VirtualDisk.openReadOnly(path);
        try {
            final VirtualDiskSize size = disk.size();
            disk.attachForRawRead();
            return new OpenDisk(disk, size);
        } catch (final IOException | RuntimeException e) {
            try {
                disk.close();
            } catch (final IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** One open disk with its reusable QueryChanges buffer (allocated on the first query). */
    private static final class OpenDisk implements Disk {
        private final VirtualDisk disk;
        private final VirtualDiskSize size;
        private final Arena arena = Arena.ofShared();
        private QueryChangesBuffer buffer;

        OpenDisk(final VirtualDisk disk, final VirtualDiskSize size) {
            this.disk = disk;
            this.size = size;
        }

        @Override
        public long virtualSize() {
            return size.virtualSize();
        }

        @Override
        public int sectorSize() {
            return size.sectorSize();
        }

        @Override
        public ChangeTrackingState changeTracking() throws IOException {
            return disk.changeTrackingState();
        }

        @Override
        public void queryChanges(final String changeTrackingId, final long byteOffset, final long byteLength,
                                 final ChangedRangePage page) throws IOException {
            if (buffer == null || buffer.capacity() != page.capacity()) {
                buffer = new QueryChangesBuffer(arena, page.capacity());
            }
            disk.queryChanges(changeTrackingId, byteOffset, byteLength, buffer);
            page.clear();
            final int count = buffer.count();
            for (int i = 0; i < count; i++) {
                page.add(buffer.byteOffset(i), buffer.byteLength(i));
            }
            page.processedLength(buffer.processedLength());
        }

        @Override
        public int read(final MemorySegment dst, final long offset, final int length) throws IOException {
            return disk.read(dst, offset, length);
        }

        @Override
        public void close() throws IOException {
            try {
                disk.close();
            } finally {
                arena.close();
            }
        }
    }
}
