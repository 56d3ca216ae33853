package io.cairn.engine.move;

/**
 * What {@link MoveJob} did with one restore point.
 *
 * @param id           restore point id (the same in both repositories)
 * @param status       how it ended
 * @param blocksCopied records this point needed that the target lacked, copied for it
 * @param bytesCopied  bytes of those records (headers and stored bytes)
 * @param message      why it failed or was not removed from the source; null when it was moved
 */
public record PointOutcome(String id, Status status, long blocksCopied, long bytesCopied, String message) {
    /** How moving one restore point ended. */
    public enum Status {
        /** Copied into the target, verified there, removed from the source. */
        MOVED("moved"),
        /** A copy ({@link MoveJob#copying}): copied into the target and verified there; the source keeps it. */
        COPIED("copied"),
        /**
         * Already in the target, byte-identical: a move (an interrupted one copied it) verifies it and removes it from
         * the source; a copy leaves it alone (an earlier copy checked it before publishing it).
         */
        SKIPPED("skipped"),
        /** Copied and verified in the target, but removing it from the source failed: it is in both. */
        NOT_REMOVED("not_removed"),
        /** Not moved: it stays in the source only (the target gained at most unreferenced packs). */
        FAILED("failed");

        private final String jsonName;

        Status(final String jsonName) {
            this.jsonName = jsonName;
        }

        /** The name in {@code --json} output and per-point lines. */
        public String jsonName() {
            return jsonName;
        }
    }
}
