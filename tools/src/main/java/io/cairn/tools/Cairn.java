package io.cairn.tools;

import io.cairn.engine.CairnVersion;
import io.cairn.engine.PhaseClock;
import io.cairn.engine.codec.BlockHasher;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.FormatTooNewException;
import io.cairn.format.NotARepositoryException;
import io.cairn.format.RepositoryLockedException;
import io.cairn.nativeio.NativeWarmup;
import io.cairn.tools.cli.UsageException;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code cairn} command. stdout carries only what scripts read (ids, JSON, listings); progress, summaries
 * and errors go to stderr. Errors are one line, no stack trace unless CAIRN_DEBUG=1.
 * <p>
 * Exit codes: 0 success; 1 the operation failed or verify found damage; 2 bad usage; 3 the repository is
 * locked by another running writer.
 */
public final class Cairn {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int LOCKED = 3;

    private static final Map<String, Command> COMMANDS = Map.ofEntries(
            Map.entry("init", new InitCommand()),
            Map.entry("backup", new BackupCommand()),
            Map.entry("list", new ListCommand()),
            Map.entry("restore", new RestoreCommand()),
            Map.entry("verify", new VerifyCommand()),
            Map.entry("retention", new RetentionCommand()),
            Map.entry("immutable", new ImmutableCommand()),
            Map.entry("compact", new CompactCommand()),
            Map.entry("move", new MoveCommand()),
            Map.entry("copy", new CopyCommand()),
            Map.entry("quickstart", new QuickstartCommand()));

    /** Commands that read or write disks or packs through FFM (LinuxFile, io_uring). */
    private static final Set<String> NATIVE_COMMANDS = Set.of("backup", "restore", "verify", "compact", "move",
            "quickstart");

    private Cairn() {
    }

    public static void main(final String[] args) {
        PhaseClock.mark("main entered");
        if (args.length > 0 && NATIVE_COMMANDS.contains(args[0])) {
            NativeWarmup.startInBackground(); // overlaps FFM linking with the command's own start (its javadoc)
        }
        final int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        PhaseClock.mark("exit");
        System.exit(code);
    }

    /**
     * Which JIT compilers this JVM runs, from its options (the last one of a kind wins, as in the JVM): the
     * launcher asks for C1 only when the block ids are hashed natively (see the cairn script).
     */
    static String jitMode(final List<String> jvmArgs) {
        String level = null;
        Boolean tiered = null;
        for (String a : jvmArgs) {
            if (a.startsWith("-XX:TieredStopAtLevel=")) {
                level = a.substring("-XX:TieredStopAtLevel=".length());
            } else if (a.equals("-XX:-TieredCompilation") || a.equals("-XX:+TieredCompilation")) {
                tiered = a.charAt(4) == '+';
            }
        }
        if (Boolean.FALSE.equals(tiered)) {
            return "C2 only (-XX:-TieredCompilation)";
        }
        if (level != null && !level.equals("4")) {
            return "C1 only (-XX:TieredStopAtLevel=" + level + ")";
        }
        return "tiered (C1 and C2)";
    }

    /** Runs one command; returns the exit code. */
    public static int run(final String[] args, final PrintStream out, final PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return args.length == 0 ? USAGE : OK;
        }
        if (args[0].equals("--version") || args[0].equals("version")) {
            out.println("cairn " + CairnVersion.VERSION);
            out.println("block ids: xxh3-128, " + BlockHasher.implementation());
            out.println("jit: " + jitMode(ManagementFactory.getRuntimeMXBean().getInputArguments()));
            return OK;
        }
        final Command cmd = COMMANDS.get(args[0]);
        if (cmd == null) {
            err.println("cairn: unknown command '" + args[0] + "' (see cairn --help)");
            return USAGE;
        }
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.print(cmd.help());
                return OK;
            }
        }
        try {
            return cmd.run(args, out, err);
        } catch (UsageException e) {
            err.println("cairn " + args[0] + ": " + e.getMessage() + " (see cairn " + args[0] + " --help)");
            return USAGE;
        } catch (RepositoryLockedException e) {
            err.println("cairn: error: " + e.getMessage());
            return LOCKED;
        } catch (Exception | OutOfMemoryError e) {
            err.println("cairn: error: " + describe(e));
            if ("1".equals(System.getenv("CAIRN_DEBUG"))) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    /** One line that says what went wrong, for any failure. */
    static String describe(final Throwable e) {
        return switch (e) {
            case NoSuchFileException n -> (n.getReason() != null ? n.getReason() : "no such file") + ": " + n.getFile();
            case FileAlreadyExistsException f -> (f.getReason() != null ? f.getReason() : "file exists") + ": "
                    + f.getFile();
            case AccessDeniedException a -> "permission denied: " + a.getFile();
            case NotARepositoryException n -> n.getMessage();
            case FormatTooNewException f -> f.getMessage();
            case CorruptRepositoryException c -> "repository damaged: " + c.getMessage();
            case IOException io when io.getMessage() != null && io.getMessage().contains("No space left") ->
                    "no space left on the device: " + io.getMessage()
                            + " (earlier restore points are intact; free space and run the backup again)";
            case IllegalArgumentException i -> i.getMessage();
            case OutOfMemoryError o -> "out of memory: " + o.getMessage();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }

    static String usage() {
        return """
                cairn %s: block-level backup of virtual disks

                usage: cairn COMMAND [options]

                commands:
                  quickstart [SOURCE]                     demo: sample disk (or SOURCE) -> full, incremental, restore, verify
                  init --repo DIR [--block-size SIZE] [--compression zstd:N|none]
                  backup --repo DIR --disk NAME SOURCE [--json]
                  list --repo DIR [--disk NAME] [--json]
                  restore --repo DIR --disk NAME [--point ID|latest] --to PATH [--force]
                  verify --repo DIR [--deep] [--json]
                  retention --repo DIR [--disk NAME] [--keep-last N] [--keep-days N] [--keep-weekly N]
                            [--keep-monthly N] [--keep-yearly N] [--dry-run] [--json]
                  immutable --repo DIR --days N | --status | --lift-expired [--json]
                  compact --repo DIR [--threshold PCT] [--dry-run] [--wait] [--json]
                  move --repo DIR --disk NAME --to-repo DIR2 [--json]
                  copy --repo DIR --disk NAME --to-repo DIR2 [--json]

                Run 'cairn COMMAND --help' for a command's options.
                Exit codes: 0 ok, 1 failed or damage found, 2 bad usage, 3 repository locked.
                """.formatted(CairnVersion.VERSION);
    }
}
