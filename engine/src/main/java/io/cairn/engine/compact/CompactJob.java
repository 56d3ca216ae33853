package io.cairn.engine.compact;

import io.cairn.engine.DebugPause;
import io.cairn.format.CorruptRepositoryException;
import io.cairn.format.Durable;
import io.cairn.format.Repository;
import io.cairn.format.RepositoryLock;
import io.cairn.format.RepositoryLockedException;
import io.cairn.format.index.BlockId;
import io.cairn.format.index.BlockIndex;
import io.cairn.format.index.BlockLocation;
import io.cairn.format.pack.BlockRecordReader;
import io.cairn.format.pack.PackLayout;
import io.cairn.format.pack.PackReader;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reclaims the space of blocks no restore point references (FORMAT.md section 10), under the writer lock:
 * <ol>
 *   <li>remove tmp/ leftovers of dead runs; read every point's block map into the live set (an unreadable point
 *       stops compact before it changes anything);</li>
 *   <li>plan ({@link CompactPlan}): which copy of each live block is kept, and which packs are rewritten or
 *       deleted;</li>
 *   <li>copy the kept records of the packs to rewrite into new packs, checking each record's CRCs first; publish
 *       every new pack durably ({@link PackRewriter});</li>
 *   <li>only then delete the old packs, one at a time, with {@link Repository#deletePack}.</li>
 * </ol>
 * A kill at any moment leaves every point restorable: until step 4 the old packs are all there, and a pack is
 * deleted only when every block it was the kept copy of is durable in a new pack. A record that fails its check is
 * never copied and its pack is never deleted; before a removed pack's duplicate is dropped, the copy that is kept
 * instead is checked too, and when it fails, an intact duplicate is copied (damage never becomes loss).
 * <p>
 * Readers take no lock and are not blocked: a restore or verify that listed a pack compact then deletes loads the
 * catalog again (see RestoreJob, RepositoryVerifier). A dry run plans only, takes no lock and changes nothing.
 * <p>
 * Crash tests pause (see {@link DebugPause}) at {@code compact-before-pack-seal}, {@code compact-before-pack-publish}
 * (per new pack), {@code compact-after-new-packs-published} (before any delete), {@code compact-before-delete} (per
 * deleted pack) and {@code compact-after-first-delete}.
 * <p>
 * Threads: one thread; memory: the live set and the owner index (24 bytes per slot each, off-heap), one block
 * buffer.
 */
public final class CompactJob {
    private static final long LOCK_POLL_MS = 200;
    private final Repository repo;
    private final Consumer<String> messages;

    /** @param messages warnings and notes for the user (damaged packs, waiting for the lock), one line each */
    public CompactJob(final Repository repo, final Consumer<String> messages) {
        this.repo = repo;
        this.messages = messages;
    }

    /**
     * @throws RepositoryLockedException   when a backup (or another writer) holds the lock and not waitForLock
     * @throws CorruptRepositoryException naming an unreadable restore point file (nothing was changed)
     */
    public CompactResult run(final CompactOptions options) throws IOException {
        final long t0 = System.nanoTime();
        if (options.dryRun()) {
            return plan(options, t0);
        }
        try (RepositoryLock lock = lock(options.waitForLock())) {
            return compact(options, t0);
        }
    }

    private RepositoryLock lock(final boolean wait) throws IOException {
        boolean told = false;
        while (true) {
            try {
                return repo.lockForWrite("compact");
            } catch (RepositoryLockedException e) {
                if (!wait) {
                    throw e;
                }
                if (!told) {
                    messages.accept("waiting: " + e.getMessage());
                    told = true;
                }
                try {
                    Thread.sleep(LOCK_POLL_MS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the writer lock");
                }
            }
        }
    }

    private CompactResult plan(final CompactOptions options, final long t0) throws IOException {
        final List<Path> leftovers = leftovers();
        long tmpBytes = 0;
        for (Path t : leftovers) {
            tmpBytes += sizeOrZero(t);
        }
        try (BlockIndex live = LiveSet.load(repo);
             CompactPlan plan = CompactPlan.make(repo, live, options.thresholdPct(), messages)) {
            final Tally t = new Tally(plan);
            long copied = 0;
            long copiedRecords = 0;
            long removedBytes = 0;
            for (PackUsage u : plan.packs) {
                if (u.fate == PackFate.REWRITE) {
                    copied += u.ownedBytes;
                    copiedRecords += u.ownedRecords;
                }
                if (u.removed()) {
                    removedBytes += u.fileLength;
                }
            }
            final long newPacks = copied == 0 ? 0 : Math.ceilDiv(copied, repo.config().packSize());
            final long newBytes = copied + copiedRecords * PackLayout.FOOTER_ENTRY_LENGTH
                    + newPacks * (PackLayout.HEADER_LENGTH + PackLayout.TRAILER_LENGTH);
            return new CompactResult(true, options.thresholdPct(), plan.packs.size(), t.rewritten, t.deleted,
                    (int) newPacks, t.damaged, 0, 0, plan.liveBlocks, plan.missingLiveBlocks(), copiedRecords, copied,
                    removedBytes + tmpBytes - newBytes, t.garbageBelow, t.below, leftovers.size(),
                    System.nanoTime() - t0);
        }
    }

    private CompactResult compact(final CompactOptions options, final long t0) throws IOException {
        try (BlockIndex live = LiveSet.load(repo)) { // first: an unreadable point stops compact before any change
            int tmpRemoved = 0;
            long tmpBytes = 0;
            for (Path t : leftovers()) {
                final long size = sizeOrZero(t);
                if (Files.deleteIfExists(t)) {
                    tmpRemoved++;
                    tmpBytes += size;
                }
            }
            if (tmpRemoved > 0) {
                Durable.fsyncDirectory(repo.tmpDir());
            }
            return compact(options, t0, live, tmpRemoved, tmpBytes);
        }
    }

    private CompactResult compact(final CompactOptions options, final long t0, final BlockIndex live,
                                  final int tmpRemoved, final long tmpBytes) throws IOException {
        try (CompactPlan plan = CompactPlan.make(repo, live, options.thresholdPct(), messages);
             PackRewriter rewriter = new PackRewriter(repo)) {
            final Copier copier = new Copier(plan, rewriter);
            copier.copyOwned();
            copier.checkKeptCopiesOfDroppedDuplicates();
            copier.recoverFailed();
            rewriter.finish();
            DebugPause.at("compact-after-new-packs-published");
            long deletedBytes = 0;
            int deletedCount = 0;
            for (PackUsage u : plan.packs) {
                if (!u.removed()) {
                    continue;
                }
                DebugPause.at("compact-before-delete");
                try {
                    repo.deletePack(u.path);
                    deletedBytes += u.fileLength;
                } catch (NoSuchFileException gone) {
                    messages.accept("pack " + u.path + " was already gone");
                }
                if (++deletedCount == 1) {
                    DebugPause.at("compact-after-first-delete");
                }
            }
            final Tally t = new Tally(plan);
            return new CompactResult(false, options.thresholdPct(), plan.packs.size(), t.rewritten, t.deleted,
                    rewriter.packsWritten(), t.damaged, t.keptForDamage, copier.recordsFailed, plan.liveBlocks,
                    plan.missingLiveBlocks(), rewriter.recordsCopied(), rewriter.recordBytesCopied(),
                    deletedBytes + tmpBytes - rewriter.packBytesWritten(), t.garbageBelow, t.below, tmpRemoved,
                    System.nanoTime() - t0);
        }
    }

    /**
     * Files in tmp/ that only an interrupted writer leaves behind: unpublished packs and points ({@code *.tmp}) and
     * deleted files not yet unlinked ({@code *.deleted}). Removed only under the writer lock, when no writer runs.
     */
    private List<Path> leftovers() throws IOException {
        final List<Path> out = new ArrayList<>();
        for (Path t : repo.tmpFiles()) {
            final String n = t.getFileName().toString();
            if ((n.endsWith(".tmp") || n.endsWith(".deleted")) && Files.isRegularFile(t)) {
                out.add(t);
            }
        }
        return out;
    }

    private static long sizeOrZero(final Path p) throws IOException {
        try {
            return Files.size(p);
        } catch (NoSuchFileException gone) {
            return 0;
        }
    }

    /** Counts of the plan's fates, after copying. */
    private static final class Tally {
        int rewritten;
        int deleted;
        int damaged;
        int keptForDamage;
        int below;
        long garbageBelow;

        Tally(final CompactPlan plan) {
            for (PackUsage u : plan.packs) {
                if (u.keptForDamage) {
                    keptForDamage++;
                    continue;
                }
                switch (u.fate) {
                    case REWRITE -> rewritten++;
                    case DELETE -> deleted++;
                    case DAMAGED -> damaged++;
                    case KEEP -> {
                        if (u.garbageBytes() > 0) {
                            below++;
                            garbageBelow += u.garbageBytes();
                        }
                    }
                }
            }
        }
    }

    /** Reads, checks and copies records; remembers the ids whose kept copy failed its check. */
    private final class Copier {
        private final CompactPlan plan;
        private final PackRewriter rewriter;
        private final BlockRecordReader records = new BlockRecordReader(repo.config().blockSize());
        private final ByteBuffer buf = ByteBuffer.allocateDirect(repo.config().blockSize());
        /** Ids whose kept copy failed its check and that have no good copy in a new pack yet. */
        private final Set<BlockKey> failed = new HashSet<>();
        long recordsFailed;

        Copier(final CompactPlan plan, final PackRewriter rewriter) {
            this.plan = plan;
            this.rewriter = rewriter;
        }

        /** Step 3: every owned record of every pack to rewrite, in pack order. */
        void copyOwned() throws IOException {
            for (PackUsage u : plan.packs) {
                if (u.fate != PackFate.REWRITE) {
                    continue;
                }
                try (PackReader r = PackReader.open(u.path)) {
                    for (int i = 0; i < r.recordCount(); i++) {
                        final long hi = r.idHi(i);
                        final long lo = r.idLo(i);
                        final long off = r.recordOffset(i);
                        if (!plan.owns(u, hi, lo, off)) {
                            continue; // garbage, or a duplicate whose kept copy is elsewhere
                        }
                        if (read(u, r, i)) {
                            rewriter.copy(hi, lo, records.codec(), records.rawLength(), buf, records.dataCrc());
                        } else {
                            failed.add(new BlockKey(hi, lo));
                        }
                    }
                }
            }
        }

        /**
         * A removed pack may hold a live block whose kept copy is in a pack compact keeps (duplicates). Before that
         * duplicate goes, the kept copy is checked; when it fails, its id joins the ones to recover.
         */
        void checkKeptCopiesOfDroppedDuplicates() throws IOException {
            final Set<BlockKey> checked = new HashSet<>();
            final Map<Integer, PackReader> keepers = new HashMap<>(); // opened once each (cold: duplicates only)
            try {
                for (PackUsage u : plan.packs) {
                    if (!u.removed()) {
                        continue;
                    }
                    try (PackReader r = PackReader.open(u.path)) {
                        for (int i = 0; i < r.recordCount(); i++) {
                            final long hi = r.idHi(i);
                            final long lo = r.idLo(i);
                            final long owner = plan.owners.get(hi, lo);
                            if (owner == BlockLocation.EMPTY || plan.owns(u, hi, lo, r.recordOffset(i))) {
                                continue;
                            }
                            final PackUsage keeper = plan.pack(BlockLocation.packOrdinal(owner));
                            if (keeper.fate != PackFate.KEEP || !checked.add(new BlockKey(hi, lo))) {
                                continue; // a rewritten owner was checked while copying
                            }
                            PackReader kr = keepers.get(keeper.ordinal);
                            if (kr == null) {
                                kr = PackReader.open(keeper.path);
                                keepers.put(keeper.ordinal, kr);
                            }
                            if (!readAt(keeper, kr, BlockLocation.recordOffset(owner), hi, lo)) {
                                failed.add(new BlockKey(hi, lo));
                            }
                        }
                    }
                }
            } finally {
                for (PackReader kr : keepers.values()) {
                    kr.close();
                }
            }
        }

        /** Copies an intact duplicate, from a pack compact removes, of every id whose kept copy failed. */
        void recoverFailed() throws IOException {
            if (failed.isEmpty()) {
                return;
            }
            for (PackUsage u : plan.packs) {
                if (u.fate != PackFate.REWRITE && u.fate != PackFate.DELETE) {
                    continue;
                }
                try (PackReader r = PackReader.open(u.path)) {
                    for (int i = 0; i < r.recordCount() && !failed.isEmpty(); i++) {
                        final BlockKey key = new BlockKey(r.idHi(i), r.idLo(i));
                        if (!failed.contains(key) || plan.owns(u, key.hi, key.lo, r.recordOffset(i))) {
                            continue;
                        }
                        if (read(u, r, i)) {
                            rewriter.copy(key.hi, key.lo, records.codec(), records.rawLength(), buf,
                                    records.dataCrc());
                            failed.remove(key);
                        }
                    }
                }
            }
            for (BlockKey k : failed) {
                messages.accept("block " + BlockId.toHex(k.hi, k.lo) + " has no intact copy; the packs holding it"
                        + " are kept (cairn verify names the restore points that need it)");
            }
        }

        /** Reads record i of u into buf and checks it; on failure marks u as kept and says why. */
        private boolean read(final PackUsage u, final PackReader r, final int i) throws IOException {
            try {
                records.read(r.channel(), u.path, r.recordOffset(i), buf);
                records.requireId(u.path, r.recordOffset(i), r.idHi(i), r.idLo(i));
                if (records.rawLength() != r.rawLength(i) || records.storedLength() != r.storedLength(i)) {
                    throw new CorruptRepositoryException(u.path, r.recordOffset(i),
                            "record lengths differ from the footer's");
                }
                return true;
            } catch (CorruptRepositoryException e) {
                damaged(u, e);
                return false;
            }
        }

        /** Reads and checks the record at offset of a kept pack (not copied). */
        private boolean readAt(final PackUsage u, final PackReader r, final long offset, final long hi,
                               final long lo) throws IOException {
            try {
                records.read(r.channel(), u.path, offset, buf);
                records.requireId(u.path, offset, hi, lo);
                return true;
            } catch (CorruptRepositoryException e) {
                damaged(u, e);
                return false;
            }
        }

        private void damaged(final PackUsage u, final CorruptRepositoryException e) {
            recordsFailed++;
            if (u.fate == PackFate.REWRITE || u.fate == PackFate.DELETE) {
                u.keptForDamage = true;
            }
            messages.accept("damaged record not copied, its pack is kept: " + e.getMessage());
        }
    }

    /** A block id as a hash key (cold paths only: ids whose copy failed, duplicates checked). */
    private record BlockKey(long hi, long lo) {
    }
}
