package io.cairn.tools;

import io.cairn.format.PointInfo;
import io.cairn.format.Repository;
import io.cairn.format.point.Manifest;
import io.cairn.tools.cli.Args;
import io.cairn.engine.json.Json;
import io.cairn.tools.cli.UsageException;
import io.cairn.tools.cli.Units;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code cairn list --repo DIR [--disk NAME] [--json]}: restore points, newest last. */
final class ListCommand implements Command {
    @Override
    public int run(final String[] argv, final PrintStream out, final PrintStream err) throws Exception {
        final Args a = Args.parse(argv, 1, Set.of("repo", "disk"), Set.of("json"));
        if (!a.positionals().isEmpty()) {
            throw new UsageException("unexpected argument " + a.positionals().getFirst());
        }
        final Repository repo = Repository.open(Path.of(a.require("repo")));
        final List<PointInfo> points = repo.listPoints(a.get("disk"),
                e -> err.println("cairn: warning: damaged restore point not listed: " + e.getMessage()));
        if (a.flag("json")) {
            final List<Object> arr = new ArrayList<>();
            for (PointInfo p : points) {
                arr.add(toJson(p));
            }
            out.println(Json.write(arr));
            return Cairn.OK;
        }
        out.printf("%-36s  %-16s  %-20s  %-11s  %10s  %10s%n", "ID", "DISK", "TIME", "TYPE", "SIZE", "STORED");
        for (PointInfo p : points) {
            final Manifest m = p.manifest();
            out.printf("%-36s  %-16s  %-20s  %-11s  %10s  %10s%n", p.id(), p.disk(),
                    m.get(Manifest.CREATED, "?").replaceAll("\\.\\d+Z$", "Z"), m.get(Manifest.TYPE, "?"),
                    Units.bytes(p.virtualSize()), Units.bytes(m.getLong(Manifest.BYTES_STORED, 0)));
        }
        return Cairn.OK;
    }

    static Map<String, Object> toJson(final PointInfo p) {
        final Manifest m = p.manifest();
        final Map<String, Object> o = Json.object();
        o.put("id", p.id());
        o.put("disk", p.disk());
        o.put("time", m.get(Manifest.CREATED));
        o.put("type", m.get(Manifest.TYPE));
        o.put("parent", m.get(Manifest.PARENT, "").isEmpty() ? null : m.get(Manifest.PARENT));
        o.put("virtual_size", p.virtualSize());
        o.put("bytes_read", m.getLong(Manifest.BYTES_READ, 0));
        o.put("bytes_stored", m.getLong(Manifest.BYTES_STORED, 0));
        o.put("blocks_total", p.blockCount());
        o.put("blocks_zero", m.getLong(Manifest.BLOCKS_ZERO, 0));
        o.put("blocks_changed", m.getLong(Manifest.BLOCKS_CHANGED, 0));
        o.put("source", m.get(Manifest.SOURCE));
        return o;
    }

    @Override
    public String help() {
        return """
                usage: cairn list --repo DIR [--disk NAME] [--json]

                Lists restore points, newest last: id, disk, time, type, virtual size, bytes stored by that backup.
                """;
    }
}
