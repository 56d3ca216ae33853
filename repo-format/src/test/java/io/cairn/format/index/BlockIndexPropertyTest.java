package io.cairn.format.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random operation sequences against a {@link HashMap} model. jqwik is not on repo-format's test classpath, so each
 * case is a plain seeded {@link SplittableRandom}; a failure message names the seed and step to replay.
 */
class BlockIndexPropertyTest {
    private static final int SEEDS = 200;
    private static final int STEPS = 6_000;

    private record Id(long hi, long lo) {
    }

    @Test
    void shouldMatchHashMapModelWhenRandomOperationsApplied() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            runCase(seed);
        }
    }

    private static void runCase(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        // Small pools make hits, replacements and misses all common; some pools share one half of the id.
        final Id[] pool = new Id[1 + random.nextInt(4_000)];
        final int shape = random.nextInt(3);
        final long shared = random.nextLong();
        for (int i = 0; i < pool.length; i++) {
            pool[i] = switch (shape) {
                case 0 -> new Id(random.nextLong(), random.nextLong());
                case 1 -> new Id(i, shared);
                default -> new Id(shared, (long) i << 32);
            };
        }
        final Map<Id, Long> model = new HashMap<>();
        try (BlockIndex index = new BlockIndex(random.nextInt(2_000))) {
            for (int step = 0; step < STEPS; step++) {
                final Id id = pool[random.nextInt(pool.length)];
                final long location = random.nextLong(1, Long.MAX_VALUE);
                final String where = "seed=" + seed + " step=" + step;
                switch (random.nextInt(4)) {
                    case 0 -> {
                        assertEquals(!model.containsKey(id), index.putIfAbsent(id.hi(), id.lo(), location), where);
                        model.putIfAbsent(id, location);
                    }
                    case 1 -> {
                        final long previous = model.getOrDefault(id, BlockLocation.EMPTY);
                        assertEquals(previous, index.put(id.hi(), id.lo(), location), where);
                        model.put(id, location);
                    }
                    case 2 -> assertEquals(model.containsKey(id), index.contains(id.hi(), id.lo()), where);
                    default -> { } // the get below
                }
                assertEquals(model.getOrDefault(id, BlockLocation.EMPTY), index.get(id.hi(), id.lo()), where);
                assertEquals(model.size(), index.size(), where);
            }
            index.checkInvariants();
            final Map<Id, Long> visited = new HashMap<>();
            index.forEach((hi, lo, location) -> assertEquals(null, visited.put(new Id(hi, lo), location)));
            assertEquals(model, visited, "seed=" + seed);
        }
    }
}
