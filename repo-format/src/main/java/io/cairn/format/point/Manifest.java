package io.cairn.format.point;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A restore point's manifest (FORMAT.md 5.3): ordered {@code key=value} lines. Unknown keys are kept and ignored.
 */
public final class Manifest {
    public static final String ID = "id";
    public static final String DISK = "disk";
    public static final String TYPE = "type";
    public static final String PARENT = "parent";
    public static final String CREATED = "created";
    public static final String STARTED = "started";
    public static final String VIRTUAL_SIZE = "virtual_size";
    public static final String BLOCK_SIZE = "block_size";
    public static final String SOURCE = "source";
    public static final String SOURCE_IDENTITY = "source_identity";
    public static final String REPOSITORY_ID = "repository_id";
    public static final String CHANGE_DETECTION = "change_detection";
    public static final String BLOCKS_TOTAL = "blocks_total";
    public static final String BLOCKS_ZERO = "blocks_zero";
    public static final String BLOCKS_CHANGED = "blocks_changed";
    public static final String BLOCKS_NEW = "blocks_new";
    public static final String BYTES_READ = "bytes_read";
    public static final String BYTES_NEW_RAW = "bytes_new_raw";
    public static final String BYTES_STORED = "bytes_stored";
    public static final String DURATION_MS = "duration_ms";
    public static final String CAIRN_VERSION = "cairn_version";

    private final Map<String, String> values = new LinkedHashMap<>();

    /** Sets a value; newlines become spaces (FORMAT.md 5.3). */
    public Manifest put(final String key, final Object value) {
        if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("bad manifest key " + key);
        }
        values.put(key, String.valueOf(value).replace('\n', ' ').replace('\r', ' '));
        return this;
    }

    public String get(final String key) {
        return values.get(key);
    }

    public String get(final String key, final String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /** A numeric value, or the fallback when missing or not a number. */
    public long getLong(final String key, final long fallback) {
        final String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public byte[] encode() {
        final StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses manifest bytes; lines without '=' are skipped (the CRC has already vouched for the bytes). */
    public static Manifest decode(final byte[] bytes) {
        final Manifest m = new Manifest();
        final String text = new String(bytes, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            final int eq = line.indexOf('=');
            if (eq > 0) {
                m.values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }
}
