package io.cairn.nativeio;

/**
 * Links the downcalls a data command will need on a background thread, while the main thread parses arguments and
 * opens the repository.
 * <p>
 * Design note: linking a downcall handle makes the JDK generate classes for its call shape; on the 2-core build
 * machine that was ~13 ms a handle quiet and 50-200 ms under load, paid one after another on the main thread at
 * the first open, statx, fadvise of a backup or restore. Started first thing in {@code main}, the same work
 * overlaps the command's own start on the second core. Nothing here is needed for correctness: a handle still
 * missing when the main thread calls it is linked then (class initialisation is once per class, and a thread
 * that arrives meanwhile waits for it), and any failure is left for that first real call to report.
 */
public final class NativeWarmup {
    private NativeWarmup() {
    }

    /** Starts the background linking (a daemon thread); returns at once. */
    public static void startInBackground() {
        Thread.ofPlatform().name("cairn-native-warmup").daemon().start(NativeWarmup::linkAll);
    }

    private static void linkAll() {
        try {
            if (!NativeSupport.available()) {
                return;
            }
            LibC.prelinkFileHandles();
            IoUring.available(); // its probe links the io_uring calls and tries a ring once
        } catch (RuntimeException | LinkageError ignored) {
            // the first real call reports it
        }
    }
}
