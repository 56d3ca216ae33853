package io.cairn.tools;

import io.cairn.format.Repository;
import io.cairn.format.RepositoryConfig;
import io.cairn.tools.cli.Args;
import io.cairn.tools.cli.UsageException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code cairn init --repo DIR [--block-size SIZE] [--compression zstd:N|none]}. */
final class InitCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "block-size", "compression"), Set.of());
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final Path repo = Path.of(a.require("repo"));
        final long bs = a.get("block-size") == null ? RepositoryConfig.DEFAULT_BLOCK_SIZE
                : Args.parseSize(a.get("block-size"));
        if (!RepositoryConfig.isValidBlockSize(bs)) {
            throw new UsageException("block size " + bs + " must be a power of two from 64K to 8M");
        }
        final String comp = a.get("compression") == null ? "zstd:1" : a.get("compression");
        final RepositoryConfig cfg = parseCompression((int) bs, comp);
        final Repository r = Repository.init(repo, cfg);
        err.println("initialised repository " + repo + " (id " + cfg.repositoryId() + ", block size " + bs
                + ", compression " + cfg.compressionSpec() + ")");
        out.println(r.dir());
        return Cairn.OK;
    }

    static RepositoryConfig parseCompression(final int blockSize, final String comp) {
        if (comp.equals("none")) {
            return RepositoryConfig.create(blockSize, "none", 0);
        }
        if (comp.startsWith("zstd:") || comp.equals("zstd")) {
            final int level;
            try {
                level = comp.equals("zstd") ? 1 : Integer.parseInt(comp.substring(5));
            } catch (NumberFormatException e) {
                throw new UsageException("bad compression '" + comp + "' (use zstd:N or none)");
            }
            try {
                return RepositoryConfig.create(blockSize, "zstd", level);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        throw new UsageException("bad compression '" + comp + "' (use zstd:N or none)");
    }

    @Override
    public String help() {
        return """
                usage: cairn init --repo DIR [--block-size SIZE] [--compression zstd:N|none]

                Creates a repository in DIR (new or empty).
                  --block-size SIZE     64K..8M, a power of two (default 1M)
                  --compression SPEC    zstd:N with N in -7..22, or none (default zstd:1)
                """;
    }
}
