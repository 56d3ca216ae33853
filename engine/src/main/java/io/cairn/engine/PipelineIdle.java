package io.cairn.engine;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of the backup and restore pipeline stages: spin briefly, yield, then park with exponential
 * back-off, so that an idle stage gives its core to a busy one on a 2-core machine.
 * <p>
 * The park bounds can be changed for performance work with {@code -Dcairn.idle.park=MIN_US,MAX_US} (microseconds;
 * default 1,250): a longer minimum means fewer wake-ups (context switches) of a stage that waits for a slower one,
 * a longer maximum means a later reaction to new work.
 */
public final class PipelineIdle {
    private static final long MIN_PARK_NS;
    private static final long MAX_PARK_NS;

    static {
        long min = 1_000;
        long max = 250_000;
        final String spec = System.getProperty("cairn.idle.park");
        if (spec != null) {
            final String[] parts = spec.split(",");
            try {
                if (parts.length == 2) {
                    final long a = Long.parseLong(parts[0].trim()) * 1_000;
                    final long b = Long.parseLong(parts[1].trim()) * 1_000;
                    if (a > 0 && b >= a) {
                        min = a;
                        max = b;
                    }
                }
            } catch (NumberFormatException ignored) {
                // keep the defaults: this is a tuning knob, not a user-facing option
            }
        }
        MIN_PARK_NS = min;
        MAX_PARK_NS = max;
    }

    private PipelineIdle() {
    }

    /** A new strategy for one stage's thread. */
    public static IdleStrategy strategy() {
        return new BackoffIdleStrategy(8, 4, MIN_PARK_NS, MAX_PARK_NS);
    }
}
