package io.cairn.format;

import io.cairn.format.immutable.ImmutableAttribute;
import io.cairn.format.immutable.Immutability;
import io.cairn.format.immutable.ProtectedException;
import io.cairn.format.pack.PackLayout;
import io.cairn.format.pack.SealedPack;
import io.cairn.format.point.Manifest;
import io.cairn.format.point.PointLayout;
import io.cairn.format.point.PointReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A repository directory (FORMAT.md section 2): paths, config, the writer lock, publishing packs and points,
 * listing. Everything here works with repo-format alone (the engine reaches it through this class).
 */
public final class Repository {
    public static final String PACKS = "packs";
    public static final String POINTS = "points";
    public static final String TMP = "tmp";

    /** Suffix of a point file moved into tmp/ by {@link #deletePoint} (FORMAT.md section 6). */
    public static final String DELETED_POINT_SUFFIX = ".point.deleted";
    /** Suffix of a pack file moved into tmp/ by {@link #deletePack} (FORMAT.md sections 2 and 10). */
    public static final String DELETED_PACK_SUFFIX = ".pack.deleted";

    private final Path dir;
    private final RepositoryConfig config;
    /** The last writer lock this instance handed out; deletePoint requires it (and checks it is still held). */
    private volatile RepositoryLock writerLock;
    /** Protection of sealed files (FORMAT.md section 12), with the attribute implementation on the class path. */
    private final Immutability immutability;

    private Repository(final Path dir, final RepositoryConfig config) {
        this.dir = dir;
        this.config = config;
        this.immutability = new Immutability(this, ImmutableAttribute.system());
    }

    /** Creates a repository in dir (which must not exist, or be an empty directory). */
    public static Repository init(final Path dir, final RepositoryConfig config) throws IOException {
        if (Files.exists(dir.resolve(RepositoryConfigCodec.FILE_NAME))) {
            throw new FileAlreadyExistsException(dir + " is already a Cairn repository");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                if (ds.iterator().hasNext()) {
                    throw new IOException(dir + " is not empty; give a new or empty directory for the repository");
                }
            }
        }
        Files.createDirectories(dir);
        Files.createDirectories(dir.resolve(PACKS));
        Files.createDirectories(dir.resolve(POINTS));
        Files.createDirectories(dir.resolve(TMP));
        Durable.fsyncDirectory(dir);
        Durable.writeAtomically(dir.resolve(TMP).resolve("config.tmp"), dir.resolve(RepositoryConfigCodec.FILE_NAME),
                RepositoryConfigCodec.encode(config).getBytes(StandardCharsets.UTF_8));
        final Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Durable.fsyncDirectory(parent);
        }
        return new Repository(dir, config);
    }

    /** Opens an existing repository; NotARepositoryException, FormatTooNewException or corrupt-config errors. */
    public static Repository open(final Path dir) throws IOException {
        final RepositoryConfig config = RepositoryConfigCodec.read(dir);
        for (String sub : new String[]{PACKS, POINTS, TMP}) {
            if (!Files.isDirectory(dir.resolve(sub))) {
                if (sub.equals(TMP)) {
                    Files.createDirectories(dir.resolve(TMP));
                } else {
                    throw new CorruptRepositoryException(dir.resolve(sub), -1, "repository directory is missing");
                }
            }
        }
        return new Repository(dir, config);
    }

    public Path dir() {
        return dir;
    }

    public RepositoryConfig config() {
        return config;
    }

    public Path tmpDir() {
        return dir.resolve(TMP);
    }

    /** Immutability of this repository's sealed files: the record, the policy, protecting and lifting. */
    public Immutability immutability() {
        return immutability;
    }

    /** Takes the exclusive writer lock (FORMAT.md section 6). */
    public RepositoryLock lockForWrite(final String command) throws IOException {
        final RepositoryLock lock = RepositoryLock.acquire(dir, command);
        writerLock = lock;
        return lock;
    }

    public Path packTmpPath(final String packIdHex) {
        return tmpDir().resolve(packIdHex + ".pack.tmp");
    }

    public Path packPath(final String packIdHex) {
        return dir.resolve(PACKS).resolve(packIdHex.substring(0, 2)).resolve(PackLayout.fileName(packIdHex));
    }

    /**
     * Renames a sealed pack into packs/ab/ and fsyncs the directories involved. Under an immutability policy
     * (FORMAT.md section 12) the pack is recorded as protected before the rename and gets the immutable attribute
     * after the rename and the directory fsync (an immutable file cannot be renamed).
     */
    public Path publishPack(final SealedPack pack) throws IOException {
        final Path target = packPath(pack.packIdHex());
        final Path sub = target.getParent();
        if (!Files.isDirectory(sub)) {
            Files.createDirectories(sub);
            Durable.fsyncDirectory(sub.getParent());
        }
        final boolean protect = immutability.beforePublish(target);
        Durable.publish(pack.tmpPath(), target, "pack-after-rename");
        if (protect) {
            immutability.afterPublish(target);
        }
        return target;
    }

    public Path pointTmpPath(final String pointId) {
        return tmpDir().resolve(pointId + ".point.tmp");
    }

    public Path pointPath(final String disk, final String pointId) {
        return dir.resolve(POINTS).resolve(disk).resolve(pointId + PointLayout.SUFFIX);
    }

    /**
     * Renames a finished point file into points/DISK/ and fsyncs; from here on the restore point exists. Under an
     * immutability policy it is protected as a pack is ({@link #publishPack}).
     */
    public Path publishPoint(final String disk, final String pointId, final Path tmp) throws IOException {
        final Path target = pointPath(disk, pointId);
        final Path sub = target.getParent();
        if (!Files.isDirectory(sub)) {
            Files.createDirectories(sub);
            Durable.fsyncDirectory(sub.getParent());
        }
        final boolean protect = immutability.beforePublish(target);
        Durable.publish(tmp, target, "point-after-rename");
        if (protect) {
            immutability.afterPublish(target);
        }
        return target;
    }

    /**
     * Deletes a restore point (FORMAT.md section 6, "Deleting a restore point"): renames its file into
     * {@code tmp/<id>.point.deleted}, fsyncs {@code points/DISK/} (from here on the point no longer exists), then
     * unlinks the tmp file and fsyncs {@code tmp/}. A crash at any moment leaves either the whole point or none of
     * it under {@code points/}, plus at most a tmp leftover that verify reports as reclaimable. Blocks only this
     * point referenced become unreferenced (reclaimable by compact); every other point is self-contained (5.2).
     * <p>
     * The caller must hold the writer lock taken with {@link #lockForWrite} on this instance; otherwise this
     * throws IllegalStateException and deletes nothing.
     *
     * <p>
     * A point protected by {@code cairn immutable} (FORMAT.md section 12) is refused with a
     * {@link ProtectedException} that says until when, and nothing changes; one whose protection has expired gets its
     * immutable attribute lifted first.
     *
     * @throws NoSuchFileException when the point file is not there (already deleted)
     * @throws ProtectedException  when the point is protected now
     */
    public void deletePoint(final PointInfo point) throws IOException {
        requireWriterLock("deleting a restore point");
        final Path file = pointPath(Ids.requireDiskName(point.disk()), point.id());
        if (!Ids.isPointId(point.id())) {
            throw new IllegalArgumentException("not a restore point id: " + point.id());
        }
        immutability.requireDeletable(file, Instant.now());
        final Path dead = tmpDir().resolve(point.id() + DELETED_POINT_SUFFIX);
        Durable.publish(file, dead, "delete-after-rename"); // atomic rename, fsyncs tmp/
        Durable.fsyncDirectory(file.getParent()); // the name is gone from points/DISK/ durably
        Files.delete(dead);
        PausePoint.at("delete-after-unlink");
        Durable.fsyncDirectory(tmpDir());
    }

    /**
     * Deletes a sealed pack (FORMAT.md section 10, step 4), the way {@link #deletePoint} deletes a point: renames
     * {@code packs/ab/<id>.pack} to {@code tmp/<id>.pack.deleted} (fsyncs {@code tmp/}), fsyncs {@code packs/ab/}
     * (from here on the pack is gone from the repository), then unlinks the tmp file and fsyncs {@code tmp/}. A crash
     * in between leaves the pack either wholly under {@code packs/} or as a tmp leftover (reclaimable). Only compact
     * calls this, after every live block of the pack is durable in another pack.
     * <p>
     * The caller must hold the writer lock taken with {@link #lockForWrite} on this instance; otherwise this throws
     * IllegalStateException and deletes nothing. A reader that opened the pack before the rename keeps reading it
     * (the unlinked file lives until its last descriptor is closed).
     *
     * @throws NoSuchFileException when the pack file is not there (already deleted)
     */
    public void deletePack(final Path packFile) throws IOException {
        requireWriterLock("deleting a pack");
        final String name = packFile.getFileName().toString();
        final String idHex = name.endsWith(".pack") ? name.substring(0, name.length() - 5) : "";
        if (!Hex.isHex(idHex, 16) || !packPath(idHex).toAbsolutePath().normalize()
                .equals(packFile.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("not a pack of repository " + dir + ": " + packFile);
        }
        if (!Files.exists(packFile)) {
            throw new NoSuchFileException(packFile.toString());
        }
        immutability.requireDeletable(packFile, Instant.now());
        final Path dead = tmpDir().resolve(idHex + DELETED_PACK_SUFFIX);
        Durable.publish(packFile, dead);              // atomic rename, fsyncs tmp/
        Durable.fsyncDirectory(packFile.getParent()); // the name is gone from packs/ab/ durably
        Files.delete(dead);
        Durable.fsyncDirectory(tmpDir());
    }

    /**
     * Checks that this instance's writer lock is still held by this process: acquiring it again must be refused
     * (RepositoryLock refuses a second acquire in the same process before it touches the file, so the probe
     * cannot drop the lock it checks). Throws IllegalStateException naming {@code operation} otherwise.
     */
    public void requireWriterLock(final String operation) throws IOException {
        if (writerLock == null) {
            throw new IllegalStateException(operation + " needs the writer lock: call lockForWrite first");
        }
        final RepositoryLock probe;
        try {
            probe = RepositoryLock.acquire(dir, "lock check");
        } catch (RepositoryLockedException held) {
            return; // held, as required
        }
        probe.close();
        throw new IllegalStateException(operation + " needs the writer lock, which was released");
    }

    /** Disk names that have a points/ directory. */
    public List<String> disks() throws IOException {
        final List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve(POINTS))) {
            for (Path p : ds) {
                final String name = p.getFileName().toString();
                if (Files.isDirectory(p) && Ids.isDiskName(name)) {
                    out.add(name);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Point files of a disk (or all disks when disk is null), not opened. */
    public List<Path> pointFiles(final String disk) throws IOException {
        final List<Path> out = new ArrayList<>();
        for (String d : disk == null ? disks() : List.of(disk)) {
            final Path sub = dir.resolve(POINTS).resolve(d);
            if (!Files.isDirectory(sub)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(sub, "*" + PointLayout.SUFFIX)) {
                for (Path p : ds) {
                    final String n = p.getFileName().toString();
                    if (Ids.isPointId(n.substring(0, n.length() - PointLayout.SUFFIX.length()))) {
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Restore points, oldest first (UUIDv7 ids sort by time). Damaged point files are passed to {@code damaged}
     * and left out.
     */
    public List<PointInfo> listPoints(final String disk, final Consumer<CorruptRepositoryException> damaged)
            throws IOException {
        final List<PointInfo> out = new ArrayList<>();
        for (Path p : pointFiles(disk)) {
            try (PointReader r = PointReader.open(p)) {
                final String n = p.getFileName().toString();
                final String id = n.substring(0, n.length() - PointLayout.SUFFIX.length());
                final String d = p.getParent().getFileName().toString();
                final Manifest m = r.manifest();
                if (!id.equals(m.get(Manifest.ID)) || !d.equals(m.get(Manifest.DISK))) {
                    throw new CorruptRepositoryException(p, -1, "manifest id/disk differ from the file's path");
                }
                out.add(new PointInfo(id, d, p, r.virtualSize(), r.blockCount(), m));
            } catch (CorruptRepositoryException e) {
                damaged.accept(e);
            } catch (NoSuchFileException e) {
                // removed meanwhile
            }
        }
        out.sort(Comparator.comparing(PointInfo::id));
        return out;
    }

    /** The newest restore point of a disk, or null. */
    public PointInfo latestPoint(final String disk, final Consumer<CorruptRepositoryException> damaged)
            throws IOException {
        final List<PointInfo> all = listPoints(disk, damaged);
        return all.isEmpty() ? null : all.getLast();
    }

    /** Finds a point by id (any disk when disk is null), or null. */
    public PointInfo findPoint(final String disk, final String id) throws IOException {
        for (PointInfo p : listPoints(disk, e -> { })) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        return null;
    }

    /** All sealed pack files (by name pattern; not opened). */
    public List<Path> packFiles() throws IOException {
        final List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> subs = Files.newDirectoryStream(dir.resolve(PACKS))) {
            for (Path sub : subs) {
                if (!Files.isDirectory(sub)) {
                    continue;
                }
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(sub, "*.pack")) {
                    for (Path p : ds) {
                        final String n = p.getFileName().toString();
                        if (Hex.isHex(n.substring(0, n.length() - 5), 16)) {
                            out.add(p);
                        }
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Files left in tmp/ by unfinished runs. */
    public List<Path> tmpFiles() throws IOException {
        final List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(tmpDir())) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmpDir())) {
            for (Path p : ds) {
                out.add(p);
            }
        }
        out.sort(null);
        return out;
    }
}
