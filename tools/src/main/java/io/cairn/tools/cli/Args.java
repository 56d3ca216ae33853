package io.cairn.tools.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small, strict command-line parser: {@code --name value}, {@code --name=value}, boolean {@code --flag}s and
 * positionals. Unknown options are usage errors (a typo must never silently change what a backup does).
 */
public final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positionals = new ArrayList<>();

    private Args() {
    }

    /**
     * @param valued options that take a value (without the leading dashes)
     * @param flags  boolean options
     */
    public static Args parse(final String[] argv, final int from, final Set<String> valued, final Set<String> flags) {
        final Args a = new Args();
        for (int i = from; i < argv.length; i++) {
            final String arg = argv[i];
            if (arg.equals("--")) {
                for (int j = i + 1; j < argv.length; j++) {
                    a.positionals.add(argv[j]);
                }
                break;
            }
            if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String value = null;
                final int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    if (value != null) {
                        throw new UsageException("option --" + name + " takes no value");
                    }
                    a.values.put(name, "true");
                } else if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= argv.length) {
                            throw new UsageException("option --" + name + " needs a value");
                        }
                        value = argv[++i];
                    }
                    a.values.put(name, value);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                a.positionals.add(arg);
            }
        }
        return a;
    }

    public String get(final String name) {
        return values.get(name);
    }

    public String require(final String name) {
        final String v = values.get(name);
        if (v == null || v.isEmpty()) {
            throw new UsageException("missing --" + name);
        }
        return v;
    }

    public boolean flag(final String name) {
        return values.containsKey(name);
    }

    public List<String> positionals() {
        return positionals;
    }

    /**
     * The whole number given for {@code --name}, which must lie in [min, max], or {@code absent} when the option
     * is not given; anything else is a usage error naming the option, the range and what was given.
     */
    public int intInRange(final String name, final int min, final int max, final int absent) {
        final String v = values.get(name);
        if (v == null) {
            return absent;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            n = min - 1;
        }
        if (n < min || n > max) {
            throw new UsageException("--" + name + " takes a number from " + min + " to " + max + ", got '" + v + "'");
        }
        return n;
    }

    /** Parses sizes like 1048576, 64K, 64KiB, 1M, 1MiB, 8M (binary units). */
    public static long parseSize(final String s) {
        final String t = s.trim().toUpperCase(java.util.Locale.ROOT).replace("IB", "").replace("B", "");
        long mult = 1;
        String num = t;
        if (t.endsWith("K")) {
            mult = 1024;
            num = t.substring(0, t.length() - 1);
        } else if (t.endsWith("M")) {
            mult = 1024 * 1024;
            num = t.substring(0, t.length() - 1);
        } else if (t.endsWith("G")) {
            mult = 1024L * 1024 * 1024;
            num = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(num), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException("not a size: '" + s + "' (examples: 1M, 64K, 1048576)");
        }
    }
}
