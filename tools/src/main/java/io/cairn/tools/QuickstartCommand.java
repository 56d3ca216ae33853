package io.cairn.tools;

import io.cairn.engine.backup.BackupResult;
import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.verify.VerifyReport;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code cairn quickstart [SOURCE] [--dir DIR]}: the README's first command. Without SOURCE: a sample ext4 disk,
 * a full backup, some changed blocks, an incremental, both points restored and compared, verify --deep. With
 * SOURCE: two backups (the second incremental), a restore into a scratch file, compare, verify. The source is
 * only ever read.
 */
final class QuickstartCommand implements Command {
    private static final String MARKER = ".cairn-quickstart";
    private static final long SAMPLE_SIZE = 512L * 1024 * 1024;

    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("dir"), Set.of());
        if (a.positionals().size() > 1) {
            throw new UsageException("expected at most one SOURCE");
        }
        final Path dir = Path.of(a.get("dir") == null ? "cairn-quickstart" : a.get("dir")).toAbsolutePath();
        prepare(dir);
        final Path repoDir = dir.resolve("repo");
        final int cores = BackupCommand.defaultThreads();
        final boolean ok = a.positionals().isEmpty() ? sample(dir, repoDir, cores, err)
                : source(Path.of(a.positionals().getFirst()), dir, repoDir, cores, err);
        out.println(ok ? "quickstart OK: repository " + repoDir : "quickstart FAILED (see above)");
        return ok ? Cairn.OK : Cairn.FAILED;
    }

    private static boolean sample(final Path dir, final Path repoDir, final int cores, final PrintStream err)
            throws Exception {
        final Path image = dir.resolve("sample-disk.img");
        err.println("[1/7] making a " + Units.bytes(SAMPLE_SIZE) + " sample disk " + image);
        err.println("      " + SampleDisk.create(image, SAMPLE_SIZE, err));
        final Repository repo = Repository.init(repoDir, RepositoryConfig.create(
                RepositoryConfig.DEFAULT_BLOCK_SIZE, "zstd", 1));
        err.println("[2/7] full backup into " + repoDir);
        final BackupResult full = BackupCommand.backup(repo, "sample", image, cores, err);
        final Path v1 = dir.resolve("sample-disk.v1.img");
        Files.copy(image, v1, StandardCopyOption.REPLACE_EXISTING);
        final long used = Math.max(SAMPLE_SIZE / 8, (full.blocksTotal() - full.blocksZero())
                * (long) repo.config().blockSize());
        err.println("[3/7] changing blocks of the sample disk (simulated guest writes)");
        final long changed = SampleDisk.scribble(image, 48, Math.min(used, SAMPLE_SIZE), 7);
        err.println("      overwrote 48 random 64 KiB regions (" + Units.bytes(changed) + ")");
        err.println("[4/7] incremental backup");
        final BackupResult incr = BackupCommand.backup(repo, "sample", image, cores, err);
        err.println("[5/7] restoring the full backup and comparing it with the disk as it was");
        boolean ok = restoreAndCompare(repo, full.id(), dir.resolve("restore-full.img"), v1, cores, err);
        err.println("[6/7] restoring the incremental and comparing it with the disk as it is now");
        ok &= restoreAndCompare(repo, incr.id(), dir.resolve("restore-incremental.img"), image, cores, err);
        err.println("[7/7] verify --deep");
        final VerifyReport report = VerifyCommand.verify(repo, true);
        err.println("      " + VerifyCommand.summary(report));
        ok &= report.clean();
        err.printf("summary: full %s (%s read, %s stored), incremental %s (%s read, %d changed blocks, %s stored)%n",
                Units.rate(full.virtualSize(), full.durationNs()), Units.bytes(full.bytesRead()),
                Units.bytes(full.bytesStored()), Units.rate(incr.virtualSize(), incr.durationNs()),
                Units.bytes(incr.bytesRead()), incr.blocksChanged(), Units.bytes(incr.bytesStored()));
        return ok;
    }

    private static boolean source(final Path source, final Path dir, final Path repoDir, final int cores,
                                  final PrintStream err) throws Exception {
        final String name = source.getFileName() == null ? "disk" : source.getFileName().toString()
                .replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[._-]+", "");
        final String disk = name.isEmpty() ? "disk" : name.substring(0, Math.min(64, name.length()));
        final Repository repo = Repository.init(repoDir, RepositoryConfig.create(
                RepositoryConfig.DEFAULT_BLOCK_SIZE, "zstd", 1));
        err.println("[1/4] full backup of " + source + " as disk '" + disk + "' into " + repoDir);
        BackupCommand.backup(repo, disk, source, cores, err);
        err.println("[2/4] incremental backup of " + source);
        final BackupResult incr = BackupCommand.backup(repo, disk, source, cores, err);
        err.println("[3/4] restoring the incremental to a scratch file and comparing it with the source");
        final boolean same = restoreAndCompare(repo, incr.id(), dir.resolve("restore.img"), source, cores, err);
        if (!same) {
            err.println("      (a source that is written to while it is backed up differs from its restore: back"
                    + " up a snapshot for a consistent point in time)");
        }
        err.println("[4/4] verify --deep");
        final VerifyReport report = VerifyCommand.verify(repo, true);
        err.println("      " + VerifyCommand.summary(report));
        return report.clean();
    }

    private static boolean restoreAndCompare(final Repository repo, final String pointId, final Path target,
                                             final Path expected, final int cores, final PrintStream err)
            throws IOException {
        final PointInfo p = RestoreCommand.resolve(repo, null, pointId);
        RestoreCommand.restore(repo, p, target, true, cores, err);
        final long mismatch = SampleDisk.compare(expected, target);
        err.println(mismatch < 0 ? "      bit-exact: " + target + " equals " + expected
                : "      MISMATCH: " + target + " differs from " + expected + " at offset " + mismatch);
        return mismatch < 0;
    }

    private static void prepare(final Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.exists(dir.resolve(MARKER))) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new IOException(dir + " exists and was not made by quickstart; give another --dir");
                    }
                }
            } else {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "made by cairn quickstart; deleted and remade by the next run\n");
    }

    @Override
    public String help() {
        return """
                usage: cairn quickstart [SOURCE] [--dir DIR]

                Without SOURCE: makes a 512 MB sample disk with a real ext4 file system (mkfs.ext4 -d with files of
                this machine), backs it up (full), changes some blocks, backs it up again (incremental), restores
                both restore points, compares them bit for bit and runs verify --deep, printing each step.
                With SOURCE (an image file or block device, only ever read): two backups, the second incremental,
                a restore into a scratch file, a comparison and verify --deep.
                Everything goes into DIR (default ./cairn-quickstart), which the next quickstart replaces.
                """;
    }
}
