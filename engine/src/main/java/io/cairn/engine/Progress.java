package io.cairn.engine;

/** Receives progress of a long operation from a cold path (a few times per second at most). */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> { };

    /** @param bytesDone bytes of the disk processed so far; @param bytesTotal the disk's size */
    void update(long bytesDone, long bytesTotal);
}
