package io.cairn.engine.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * A restore point as the planner sees it.
 *
 * @param id      restore point id (UUIDv7; breaks ties between equal times)
 * @param disk    disk name (rules apply per disk)
 * @param created when the backup finished (the manifest's {@code created})
 */
public record RetentionCandidate(String id, String disk, Instant created) {
    public RetentionCandidate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(created, "created");
    }
}
