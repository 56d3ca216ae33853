package io.cairn.nativeio.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.UUID;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A virtual disk (VHDX/AVHDX) opened read-only through virtdisk.dll, for RCT queries and raw reads.
 *
 * <p>Open: {@code OpenVirtualDisk} with storage type {DeviceId 0, vendor zero} (detect from the extension),
 * {@code VIRTUAL_DISK_ACCESS_NONE}, {@code OPEN_VIRTUAL_DISK_FLAG_NONE} and OPEN_VIRTUAL_DISK_PARAMETERS version 2
 * with {@code ReadOnly = TRUE, GetInfoOnly = FALSE}, as BAREOS-HV and the MS-HVS samples do for RCT
 * (windows-hyperv.md 1.3, 1.4; V2 requires the NONE access mask). The parameter block is allocated at the SDK size
 * of 44 bytes and zeroed.
 *
 * <p>Read: {@link #attachForRawRead()} attaches with NO_LOCAL_HOST | READ_ONLY, then {@link #read} is ReadFile on
 * the virtual-disk handle with the virtual offset in an OVERLAPPED (windows-hyperv.md 1.5 A); offsets and lengths
 * must be sector multiples and buffers 4096-aligned.
 *
 * <p>Threads: {@link #read} on one thread at a time (it reuses one OVERLAPPED); the rest from the opening thread.
 * Not run on Windows: see the package documentation.
 */
public final class VirtualDisk implements AutoCloseable {
    private static final int MAX_INFO_BYTES = 64 * 1024;

    private final VirtDiskLibrary lib;
    private final String path;
    private final Arena arena;
    private final MemorySegment handle;
    private final MemorySegment capture;
    private final MemorySegment overlapped;
    private final MemorySegment bytesRead;
    private String encodedIdText;
    private MemorySegment encodedId;
    private boolean attached;
    private boolean closed;

    private VirtualDisk(final VirtDiskLibrary lib, final String path, final Arena arena, final MemorySegment handle) {
        this.lib = lib;
        this.path = path;
        this.arena = arena;
        this.handle = handle;
        this.capture = arena.allocate(lib.captureLayout);
        this.overlapped = arena.allocate(VirtDiskLayouts.OVERLAPPED);
        this.bytesRead = arena.allocate(JAVA_INT);
    }

    /** Opens {@code path} read-only for RCT queries and raw reads. */
    public static VirtualDisk openReadOnly(final String path) throws WindowsCallException {
        final VirtDiskLibrary lib = VirtDiskLibrary.get();
        final Arena arena = Arena.ofShared();
        try {
            final MemorySegment storageType = arena.allocate(VirtDiskLayouts.VIRTUAL_STORAGE_TYPE);
            VirtDiskLayouts.STORAGE_TYPE_DEVICE_ID.set(storageType, 0L, VirtDiskConstants.VIRTUAL_STORAGE_TYPE_DEVICE_UNKNOWN);
            final MemorySegment parameters = arena.allocate(VirtDiskLayouts.OPEN_VIRTUAL_DISK_PARAMETERS);
            VirtDiskLayouts.OPEN_VERSION.set(parameters, 0L, VirtDiskConstants.OPEN_VIRTUAL_DISK_VERSION_2);
            VirtDiskLayouts.OPEN_V2_GET_INFO_ONLY.set(parameters, 0L, 0);
            VirtDiskLayouts.OPEN_V2_READ_ONLY.set(parameters, 0L, 1);
            final MemorySegment handleOut = arena.allocate(ADDRESS);
            final int rc = (int) lib.openVirtualDisk.invokeExact(storageType, WideStrings.allocate(arena, path),
                VirtDiskConstants.VIRTUAL_DISK_ACCESS_NONE, VirtDiskConstants.OPEN_VIRTUAL_DISK_FLAG_NONE,
                parameters, handleOut);
            if (rc != 0) {
                throw new WindowsCallException("OpenVirtualDisk", path + ", version=2, readOnly=true", rc);
            }
            return new VirtualDisk(lib, path, arena, handleOut.get(ADDRESS, 0));
        } catch (final WindowsCallException | RuntimeException | Error e) {
            arena.close();
            throw e;
        } catch (final Throwable t) {
            arena.close();
            throw WindowsLibraries.unexpected(t);
        }
    }

    /** The path this disk was opened with. */
    public String path() {
        return path;
    }

    /** GET_VIRTUAL_DISK_INFO_SIZE. */
    public VirtualDiskSize size() throws WindowsCallException {
        try (Arena scratch = Arena.ofConfined()) {
            return VirtualDiskSize.decode(information(scratch, VirtDiskConstants.GET_VIRTUAL_DISK_INFO_SIZE,
                VirtDiskLayouts.GET_VIRTUAL_DISK_INFO.byteSize()));
        }
    }

    /** GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID: the GUID that identifies this disk across backups. */
    public UUID virtualDiskId() throws WindowsCallException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment info = information(scratch, VirtDiskConstants.GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID,
                VirtDiskLayouts.GET_VIRTUAL_DISK_INFO.byteSize());
            return Guids.read(info, VirtDiskLayouts.VIRTUAL_DISK_ID_OFFSET);
        }
    }

    /** GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE, including the most recent RCT id. */
    public ChangeTrackingState changeTrackingState() throws WindowsCallException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment info = information(scratch,
                VirtDiskConstants.GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE, ChangeTrackingState.BUFFER_BYTES);
            return ChangeTrackingState.decode(info, info.byteSize());
        }
    }

    /**
     * One QueryChangesVirtualDisk call over {@code [byteOffset, byteOffset + byteLength)} since
     * {@code changeTrackingId}; the result is in {@code buffer} ({@link QueryChangesBuffer#count()},
     * {@link QueryChangesBuffer#processedLength()}). Paging and validation are the caller's job.
     */
    public void queryChanges(final String changeTrackingId, final long byteOffset, final long byteLength,
                             final QueryChangesBuffer buffer) throws WindowsCallException {
        if (!changeTrackingId.equals(encodedIdText)) {
            encodedId = WideStrings.allocate(arena, changeTrackingId);
            encodedIdText = changeTrackingId;
        }
        buffer.prepare();
        final int rc;
        try {
            rc = (int) lib.queryChangesVirtualDisk.invokeExact(handle, encodedId, byteOffset, byteLength,
                VirtDiskConstants.QUERY_CHANGES_VIRTUAL_DISK_FLAG_NONE, buffer.ranges(), buffer.rangeCount(),
                buffer.processedLengthCell());
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
        if (rc != 0) {
            throw new WindowsCallException("QueryChangesVirtualDisk", path + ", id=" + changeTrackingId
                + ", offset=" + byteOffset + ", length=" + byteLength, rc);
        }
    }

    /** AttachVirtualDisk with NO_LOCAL_HOST | READ_ONLY, so that {@link #read} works on this handle. */
    public void attachForRawRead() throws WindowsCallException {
        try (Arena scratch = Arena.ofConfined()) {
            final MemorySegment parameters = scratch.allocate(VirtDiskLayouts.ATTACH_VIRTUAL_DISK_PARAMETERS);
            VirtDiskLayouts.ATTACH_VERSION.set(parameters, 0L, VirtDiskConstants.ATTACH_VIRTUAL_DISK_VERSION_1);
            final int rc = (int) lib.attachVirtualDisk.invokeExact(handle, MemorySegment.NULL,
                VirtDiskConstants.ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST
                    | VirtDiskConstants.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY, 0, parameters, MemorySegment.NULL);
            if (rc != 0) {
                throw new WindowsCallException("AttachVirtualDisk", path + ", flags=NO_LOCAL_HOST|READ_ONLY", rc);
            }
            attached = true;
        } catch (final WindowsCallException | RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
    }

    /**
     * Reads {@code length} bytes at virtual {@code offset} into {@code dst} (ReadFile with an OVERLAPPED offset);
     * returns the bytes read, fewer only at the end of the disk.
     */
    public int read(final MemorySegment dst, final long offset, final int length) throws WindowsCallException {
        overlapped.fill((byte) 0);
        VirtDiskLayouts.OVERLAPPED_OFFSET.set(overlapped, 0L, (int) offset);
        VirtDiskLayouts.OVERLAPPED_OFFSET_HIGH.set(overlapped, 0L, (int) (offset >>> 32));
        bytesRead.set(JAVA_INT, 0, 0);
        try {
            int ok = (int) lib.readFile.invokeExact(capture, handle, dst, length, bytesRead, overlapped);
            if (ok == 0 && lib.lastError(capture) == WindowsErrors.ERROR_IO_PENDING) {
                ok = (int) lib.getOverlappedResult.invokeExact(capture, handle, overlapped, bytesRead, 1);
            }
            if (ok == 0) {
                throw new WindowsCallException("ReadFile", path + ", offset=" + offset + ", length=" + length,
                    lib.lastError(capture));
            }
        } catch (final WindowsCallException | RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        }
        return bytesRead.get(JAVA_INT, 0);
    }

    /** Detaches if attached, closes the handle and frees this disk's memory; idempotent. */
    @Override
    public void close() throws WindowsCallException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int detach = 0;
            if (attached) {
                detach = (int) lib.detachVirtualDisk.invokeExact(handle, VirtDiskConstants.DETACH_VIRTUAL_DISK_FLAG_NONE, 0);
            }
            final int ok = (int) lib.closeHandle.invokeExact(capture, handle);
            final int closeError = ok == 0 ? lib.lastError(capture) : 0;
            if (detach != 0) {
                throw new WindowsCallException("DetachVirtualDisk", path, detach);
            }
            if (ok == 0) {
                throw new WindowsCallException("CloseHandle", path, closeError);
            }
        } catch (final WindowsCallException | RuntimeException | Error e) {
            throw e;
        } catch (final Throwable t) {
            throw WindowsLibraries.unexpected(t);
        } finally {
            arena.close();
        }
    }

    /**
     * GetVirtualDiskInformation for {@code version} into a zeroed buffer of {@code initialBytes}, retried once with
     * the size Windows asks for on ERROR_INSUFFICIENT_BUFFER (bounded by 64 KiB).
     */
    private MemorySegment information(final Arena scratch, final int version, final long initialBytes)
        throws WindowsCallException {
        long bytes = initialBytes;
        for (int attempt = 0; ; attempt++) {
            final MemorySegment info = scratch.allocate(bytes, 8);
            VirtDiskLayouts.INFO_VERSION.set(info, 0L, version);
            final MemorySegment size = scratch.allocate(JAVA_INT);
            size.set(JAVA_INT, 0, (int) bytes);
            final int rc;
            try {
                rc = (int) lib.getVirtualDiskInformation.invokeExact(handle, size, info, MemorySegment.NULL);
            } catch (final Throwable t) {
                throw WindowsLibraries.unexpected(t);
            }
            if (rc == 0) {
                return info;
            }
            final long wanted = Integer.toUnsignedLong(size.get(JAVA_INT, 0));
            if (rc != WindowsErrors.ERROR_INSUFFICIENT_BUFFER || attempt > 0 || wanted <= bytes
                || wanted > MAX_INFO_BYTES) {
                throw new WindowsCallException("GetVirtualDiskInformation", path + ", version=" + version
                    + ", bufferBytes=" + bytes + ", requiredBytes=" + wanted, rc);
            }
            bytes = wanted;
        }
    }
}
