package io.cairn.nativeio;

import java.io.IOException;

/**
 * Receives one io_uring completion: the {@code userData} given to {@link IoUring#submitRead} and the kernel's
 * result, which is the number of bytes read, or a negated errno (e.g. {@code -9} for EBADF).
 *
 * <p>Implement it once, as a field or a class of its own, rather than as a capturing lambda per call, so that
 * reaping completions allocates nothing. The handler may call {@link IoUring#submitRead} (to start the next
 * read); a thrown exception reaches the caller of {@link IoUring#waitCompletions}, with the completion already
 * consumed from the ring.
 */
@FunctionalInterface
public interface CompletionHandler {
    /**
     * @param userData the value given to {@link IoUring#submitRead}
     * @param result   bytes transferred (fewer than asked at the end of a file), or {@code -errno}
     */
    void onCompletion(long userData, int result) throws IOException;
}
