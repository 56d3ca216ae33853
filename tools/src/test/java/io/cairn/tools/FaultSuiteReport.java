package io.cairn.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault-injection suite's table of "fault -> what it ended with", written to {@code target/fault-suite.txt}
 * (of the module under test) so that the numbers in a closing note come from a run, not from memory. Each test
 * class owns one section; a run of a class replaces its section and keeps the others' (so running one class alone
 * does not erase the rest of the table).
 * <p>
 * Threads: test methods of one class add rows; JUnit runs them one after another.
 */
final class FaultSuiteReport {
    static final Path FILE = Path.of(System.getProperty("basedir", "."), "target", "fault-suite.txt");
    private static final String SECTION = "## ";

    private final String section;
    private final List<String[]> rows = new ArrayList<>();
    private final String[] header;

    FaultSuiteReport(final String section, final String... header) {
        this.section = section;
        this.header = header;
    }

    /** Adds one row (as many cells as the header). */
    synchronized void add(final String... cells) {
        rows.add(cells);
    }

    /** Rewrites this class's section of the table file. */
    synchronized void write() {
        final Map<String, String> sections = read();
        final StringBuilder sb = new StringBuilder();
        final int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        sb.append(rows.size()).append(" cases, run ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("\n\n");
        line(sb, header, width);
        final String[] rule = new String[header.length];
        for (int c = 0; c < header.length; c++) {
            rule[c] = "-".repeat(width[c]);
        }
        line(sb, rule, width);
        for (String[] r : rows) {
            line(sb, r, width);
        }
        sections.put(section, sb.toString());
        final StringBuilder file = new StringBuilder(
                "# Cairn fault-injection suite: each fault and what it ended with\n");
        for (Map.Entry<String, String> e : sections.entrySet()) {
            file.append('\n').append(SECTION).append(e.getKey()).append("\n\n").append(e.getValue());
        }
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, file.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void line(final StringBuilder sb, final String[] cells, final int[] width) {
        sb.append("| ");
        for (int c = 0; c < cells.length; c++) {
            sb.append(cells[c]).append(" ".repeat(width[c] - cells[c].length())).append(c + 1 < cells.length
                    ? " | " : " |\n");
        }
    }

    private static Map<String, String> read() {
        final Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(FILE)) {
            return out;
        }
        try {
            String name = null;
            final StringBuilder body = new StringBuilder();
            for (String l : Files.readAllLines(FILE, StandardCharsets.UTF_8)) {
                if (l.startsWith(SECTION)) {
                    if (name != null) {
                        out.put(name, body.toString().strip() + "\n");
                    }
                    name = l.substring(SECTION.length());
                    body.setLength(0);
                } else if (name != null) {
                    body.append(l).append('\n');
                }
            }
            if (name != null) {
                out.put(name, body.toString().strip() + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
