package io.cairn.engine.source.qemu;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The names of everything Cairn creates inside a QEMU for the backup of one block node, so that a later run can
 * find what a killed run left behind (by prefix) and touch nothing else.
 * <p>
 * Bitmaps are named {@code cairn-DISK-N} (N counts up per disk; they live on the node, so the node scopes them).
 * Nodes, the job, the export and the private socket and overlay file carry {@code cairn-H}, where H is a CRC-32 of
 * the QMP socket path and node name: QEMU node names are limited to 31 characters, too short for a disk name.
 *
 * @param disk   the Cairn disk name
 * @param node   the block node backed up
 * @param prefix {@code cairn-H}, the prefix of every temporary object of this (QMP socket, node)
 * @param tmpDir where the overlay file and the private NBD socket live
 */
public record QemuNames(String disk, String node, String prefix, Path tmpDir) {
    /** Builds the names for a backup of {@code node} of the QEMU behind {@code qmpSocket}. */
    public static QemuNames of(final String disk, final Path qmpSocket, final String node, final Path tmpDir) {
        final CRC32 crc = new CRC32();
        crc.update((qmpSocket.toAbsolutePath().normalize() + "\n" + node).getBytes(StandardCharsets.UTF_8));
        return new QemuNames(disk, node, String.format("cairn-%08x", crc.getValue()), tmpDir);
    }

    /** Prefix of this disk's bitmaps: {@code cairn-DISK-}. */
    public String bitmapPrefix() {
        return "cairn-" + disk + "-";
    }

    /** The n-th bitmap of this disk. */
    public String bitmap(final long n) {
        return bitmapPrefix() + n;
    }

    /**
     * The sequence number of a bitmap of this disk, or -1 when the name is not one ({@code cairn-a-1-5} is not a
     * bitmap of disk {@code a}).
     */
    public long bitmapNumber(final String name) {
        if (name == null || !name.startsWith(bitmapPrefix())) {
            return -1;
        }
        final String digits = name.substring(bitmapPrefix().length());
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    /** The temporary qcow2 overlay node (backing = the backed-up node) that receives copy-before-write data. */
    public String fleeceNode() {
        return prefix + "-fl";
    }

    /** The protocol (file) node under {@link #fleeceNode()}. */
    public String fleeceFileNode() {
        return prefix + "-flf";
    }

    /** The {@code blockdev-backup sync=none} job. */
    public String backupJob() {
        return prefix + "-job";
    }

    /** The copy-before-write filter node that the backup job inserts above the node. */
    public String filterNode() {
        return prefix + "-cbw";
    }

    /** The {@code blockdev-create} job that formats the overlay. */
    public String createJob() {
        return prefix + "-mk";
    }

    /** Id and name of the NBD export of the fleecing node. */
    public String export() {
        return prefix;
    }

    /** The overlay file. */
    public Path overlayFile() {
        return tmpDir.resolve(prefix + "-fleece.qcow2");
    }

    /** The unix socket of an NBD server that Cairn starts itself. */
    public Path serverSocket() {
        return tmpDir.resolve(prefix + "-nbd.sock");
    }
}
