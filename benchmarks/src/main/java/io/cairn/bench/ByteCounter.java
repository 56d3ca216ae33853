package io.cairn.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts the bytes a benchmark moved, so that JMH reports a {@code :bytes} row beside the ops/s score.
 * <p>
 * Under {@code Mode.Throughput} with {@code @OutputTimeUnit(SECONDS)} that row is <b>bytes per second</b>, summed
 * over the threads, although JMH labels its unit "ops/s" (it reports every {@code OPERATIONS} counter as a rate).
 * A benchmark method takes this state as a parameter and adds what it processed, one field increment per call.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCounter {
    /** Bytes processed in the current iteration. */
    public long bytes;

    /** JMH does not reset auxiliary counters by itself. */
    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
    }
}
