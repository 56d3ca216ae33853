package io.cairn.engine.copy;

import io.cairn.format.PackCatalog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Read channels to the sealed packs of a {@link PackCatalog}, opened on first use and looked up by pack ordinal,
 * so that reading one record per block costs no allocation and no map lookup.
 * <p>
 * Design note: a repository can hold thousands of packs, more than a process may keep open. At most
 * {@link #MAX_OPEN} channels are open at once; when one more is needed, all are closed and reopening starts
 * again. The blocks of one restore point cluster in few packs (a full backup writes its packs in block order,
 * each incremental adds one or two), so this rarely happens and needs no LRU bookkeeping on the hot path.
 * <p>
 * Threads: one thread. The catalog may grow (packs added with {@link PackCatalog#addPack}) between calls.
 */
public final class PackChannels implements AutoCloseable {
    static final int MAX_OPEN = 256;
    private final PackCatalog catalog;
    private FileChannel[] channels = new FileChannel[16];
    private int open;

    public PackChannels(final PackCatalog catalog) {
        this.catalog = catalog;
    }

    /** The channel of the pack with this ordinal, opened read-only if it is not open yet. */
    public FileChannel channel(final int ordinal) throws IOException {
        if (ordinal >= channels.length) {
            channels = Arrays.copyOf(channels, Math.max(ordinal + 1, channels.length * 2));
        }
        final FileChannel ch = channels[ordinal];
        return ch != null ? ch : openChannel(ordinal);
    }

    private FileChannel openChannel(final int ordinal) throws IOException {
        if (open >= MAX_OPEN) {
            close();
        }
        final FileChannel ch = FileChannel.open(catalog.packPath(ordinal), StandardOpenOption.READ);
        channels[ordinal] = ch;
        open++;
        return ch;
    }

    /** Closes every open channel (the instance stays usable: later calls reopen). */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (int i = 0; i < channels.length; i++) {
            final FileChannel ch = channels[i];
            if (ch != null) {
                channels[i] = null;
                try {
                    ch.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
        }
        open = 0;
        if (first != null) {
            throw first;
        }
    }
}
