package org.blockcloset.storage.care;

import io.dropwizard.lifecycle.Managed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.BlocksDropped;
import org.blockcloset.ledger.event.BlocksReplicated;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockInfo;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.InsufficientStorageException;
import org.blockcloset.storage.SealedBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's storage agent making its disk match the layout (ADR 0011). Each pass, from this
 * node's own views:
 * <ol>
 * <li><b>Pull</b>: every referenced block this node should hold (it is among the first r holders of
 * the block's partition, r the block's bucket's factor) and lacks is copied from a node that has
 * it, its hash verified, and stored durably. That one rule repairs copies a write missed, copies a
 * failed node held (the layout left it out, so other nodes became holders), and moves data in after
 * a layout change.</li>
 * <li><b>Drop</b>: a referenced block this node holds but should not is deleted only after every node
 * that should hold it (at the layout's factor) confirmed a copy; so the last copy is never deleted,
 * whatever the layout says.</li>
 * </ol>
 * Copies and drops are recorded on the log ({@link BlocksReplicated}, {@link BlocksDropped}) in
 * batches. Copy traffic is throttled to a configured bandwidth; client requests do not wait for it.
 */
public final class Repairer implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(Repairer.class);
    /** Blocks per BlocksReplicated / BlocksDropped event. */
    private static final int EVENT_BATCH = 256;

    /** What the last or running pass did and has left, for the admin API and the heartbeats. */
    public record Progress(String state, long blocksToCopy, long blocksCopied, long bytesToCopy, long bytesCopied,
                           long blocksDropped, long lostBlocks, double bytesPerSecond, long etaSeconds,
                           Instant passStarted, Instant passFinished, long passes, long layoutVersion, long surplusLeft) {
        static final Progress IDLE = new Progress("idle", 0, 0, 0, 0, 0, 0, 0, -1, null, null, 0, 0, -1);

        public long blocksLeft() {
            return Math.max(0, blocksToCopy - blocksCopied);
        }

        public long bytesLeft() {
            return Math.max(0, bytesToCopy - bytesCopied);
        }
    }

    private final Ledger ledger;
    private final BlockStore store;
    private final BlockPlacement placement;
    private final long bandwidth;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "repair");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    private volatile Progress progress = Progress.IDLE;
    /**
     * The layout version of this node's last pass that ended holding every block the layout places
     * here (nothing left to copy, nothing found on no node); -1 while a pass has blocks to copy. The
     * cluster's redundancy counts this node's copies only for that version (Redundancy, ADR 0011).
     */
    private volatile long settledLayout = -1;
    /** {@link #factorsDigest} of the buckets' copies when this node last settled (a factor raised unsettles it). */
    private volatile int settledFactors;
    /** Blocks found on no node by the last finished pass, and its layout version. */
    private volatile long lostAtLastPass;
    private volatile long lostAtLastPassLayout = -1;
    private volatile boolean stopping;
    /** Since this node started: blocks and bytes copied to it, blocks dropped from it. */
    private final java.util.concurrent.atomic.AtomicLong totalBlocksCopied = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong totalBytesCopied = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong totalBlocksDropped = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param bandwidth bytes per second this node copies at most
     * @param interval  pause between two passes
     */
    public Repairer(Ledger ledger, BlockStore store, BlockPlacement placement, long bandwidth, Duration interval, Clock clock) {
        this.ledger = ledger;
        this.store = store;
        this.placement = placement;
        this.bandwidth = bandwidth;
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    public void start() {
        // The first pass soon after the start: until it ends, the status cannot count this node's copies (Redundancy).
        timer.scheduleWithFixedDelay(this::passQuietly, Math.min(interval.toMillis(), 5000), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        stopping = true;
        timer.shutdownNow();
    }

    public Progress progress() {
        return progress;
    }

    /** See {@link #settledLayout}. */
    public long settledLayout() {
        return settledLayout;
    }

    /** See {@link #settledFactors}. */
    public int settledFactors() {
        return settledFactors;
    }

    /** This node may lack a block it should hold (the scrub deleted a corrupt copy): not settled until the next pass says so. */
    public void unsettle() {
        settledLayout = -1;
    }

    /**
     * Blocks found on no node, for the status: the running pass's count, or the last finished pass's
     * when that was over the same layout and found more (a pass starts counting from zero).
     */
    public long lostBlocks() {
        Progress p = progress;
        return p.layoutVersion() == lostAtLastPassLayout ? Math.max(p.lostBlocks(), lostAtLastPass) : p.lostBlocks();
    }

    /**
     * A digest of every bucket's number of copies as this node's views say (the status compares the
     * one a node settled at with the current one: raising a bucket's copies leaves blocks to copy
     * under the same layout version).
     */
    public static int factorsDigest(Ledger ledger, java.util.function.ToIntFunction<String> copiesFor) {
        java.util.TreeMap<String, Integer> f = new java.util.TreeMap<>();
        for (var b : ledger.views().buckets()) {
            f.put(b.name(), copiesFor.applyAsInt(b.name()));
        }
        return f.hashCode();
    }

    private void passQuietly() {
        try {
            pass();
        } catch (LedgerUnavailableException | IOException | RuntimeException e) {
            LOG.warn("Repair pass failed (the next one starts in {}): {}", interval, e.toString());
            Progress p = progress;
            progress = new Progress("failed: " + e.getMessage(), p.blocksToCopy(), p.blocksCopied(), p.bytesToCopy(),
                    p.bytesCopied(), p.blocksDropped(), p.lostBlocks(), 0, -1, p.passStarted(), clock.instant(), p.passes(),
                    p.layoutVersion(), p.surplusLeft());
        }
    }

    /** One pass: pull what this node lacks, then drop what it holds beyond the layout. */
    public void pass() throws LedgerUnavailableException, IOException {
        Layout layout = ledger.views().layout();
        if (!placement.clustered() || layout.partitions().isEmpty() || !placement.lendsHere()) {
            return;
        }
        Instant started = clock.instant();
        long passes = progress.passes() + 1;
        String self = placement.self();
        int factors = factorsDigest(ledger, placement::copiesFor);

        // What to pull: referenced blocks placed here that this disk lacks; and copies to confirm.
        Map<BlockId, Long> pull = new LinkedHashMap<>();
        List<String> confirmed = new ArrayList<>();
        Map<String, Integer> copies = new HashMap<>();
        ledger.views().forEachBlockReference((bucket, ref) -> {
            int r = copies.computeIfAbsent(bucket, placement::copiesFor);
            if (!layout.replicas(ref.id(), r).contains(self)) {
                return;
            }
            if (!store.has(ref.id())) {
                pull.putIfAbsent(ref.id(), ref.size());
            } else if (ledger.views().underReplicated(ref.id()).contains(self)) {
                confirmed.add(ref.id().hex());
            }
        });
        long bytesToCopy = pull.values().stream().mapToLong(Long::longValue).sum();
        if (!pull.isEmpty()) {
            settledLayout = -1; // this node lacks blocks the layout places here
        }
        progress = new Progress(pull.isEmpty() ? "checking" : "copying", pull.size(), 0, bytesToCopy, 0, 0, 0, 0,
                eta(bytesToCopy, bandwidth), started, null, passes, layout.version(), -1);
        appendInBatches(confirmed, ids -> new BlocksReplicated(self, ids, "confirmed"));

        List<String> copied = new ArrayList<>();
        long blocksCopied = 0;
        long bytesCopied = 0;
        long lost = 0;
        long t0 = System.nanoTime();
        for (Map.Entry<BlockId, Long> e : pull.entrySet()) {
            if (stopping) {
                return;
            }
            BlockId id = e.getKey();
            List<String> holders = layout.replicas(id, layout.replication());
            byte[] bytes = fetch(id, holders);
            if (bytes == null) {
                if (!holders.isEmpty() && holders.get(0).equals(self)) {
                    lost++; // counted once across the cluster: by the block's first holder
                }
                continue;
            }
            try {
                storeLocally(id, bytes);
            } catch (InsufficientStorageException full) {
                LOG.warn("Repair stopped: this node's lent space is full ({} of {} blocks copied)", blocksCopied, pull.size());
                break;
            }
            copied.add(id.hex());
            blocksCopied++;
            bytesCopied += bytes.length;
            totalBlocksCopied.incrementAndGet();
            totalBytesCopied.addAndGet(bytes.length);
            if (copied.size() >= EVENT_BATCH) {
                appendInBatches(copied, ids -> new BlocksReplicated(self, ids, "repair"));
                copied = new ArrayList<>();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = seconds > 0 ? bytesCopied / seconds : 0;
            progress = new Progress("copying", pull.size(), blocksCopied, bytesToCopy, bytesCopied, 0, lost, rate,
                    eta(bytesToCopy - bytesCopied, rate > 0 ? (long) rate : bandwidth), started, null, passes,
                    layout.version(), -1);
            throttle(bytesCopied, t0);
        }
        appendInBatches(copied, ids -> new BlocksReplicated(self, ids, "repair"));
        if (blocksCopied > 0) {
            LOG.info("Repair: copied {} block(s), {} bytes, to this node{}", blocksCopied, bytesCopied,
                    lost > 0 ? "; " + lost + " block(s) found on no node" : "");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double rate = seconds > 0 && bytesCopied > 0 ? bytesCopied / seconds : 0;
        progress = new Progress("dropping", pull.size(), blocksCopied, bytesToCopy, bytesCopied, 0, lost, rate, 0,
                started, null, passes, layout.version(), -1);

        if (blocksCopied == pull.size() && lost == 0) {
            settledFactors = factors;
            settledLayout = layout.version();
        }
        lostAtLastPass = lost;
        lostAtLastPassLayout = layout.version();
        long[] drop = dropSurplus(layout, started);
        progress = new Progress("idle", pull.size(), blocksCopied, bytesToCopy, bytesCopied, drop[0], lost, rate, 0,
                started, clock.instant(), passes, layout.version(), drop[1]);
    }

    /**
     * Deletes referenced blocks this node holds but the layout places elsewhere, each only once every
     * node meant to hold it (at the layout's factor) says it has a copy; returns how many went and
     * how many such blocks are still here (a holder has not confirmed yet).
     */
    private long[] dropSurplus(Layout layout, Instant passStarted) throws IOException, LedgerUnavailableException {
        String self = placement.self();
        if (ledger.views().node(self).map(n -> n.failed() != null).orElse(true)) {
            return new long[] {0, -1}; // recorded as failed: it is about to be taken back, and its copies with it
        }
        List<BlockId> surplus = new ArrayList<>();
        try (Stream<BlockInfo> all = store.list()) {
            all.forEach(b -> {
                if (!layout.replicas(b.id(), layout.replication()).contains(self) && ledger.views().isReferenced(b.id())) {
                    surplus.add(b.id());
                }
            });
        }
        List<String> dropped = new ArrayList<>();
        for (BlockId id : surplus) {
            if (stopping) {
                break;
            }
            List<String> holders = layout.replicas(id, layout.replication());
            if (holders.isEmpty() || !holders.stream().allMatch(h -> confirms(h, id))) {
                continue; // some holder lacks it yet: it pulls it, and a later pass drops this copy
            }
            // Not if a write touched it during this pass (it may have just deduplicated against it).
            if (store.deleteIfUntouchedSince(id, passStarted)) {
                dropped.add(id.hex());
                totalBlocksDropped.incrementAndGet();
            }
        }
        appendInBatches(dropped, ids -> new BlocksDropped(self, ids));
        if (!dropped.isEmpty()) {
            LOG.info("Rebalance: dropped {} block(s) that the layout places on other nodes, each confirmed there", dropped.size());
        }
        return new long[] {dropped.size(), surplus.size() - dropped.size()};
    }

    private boolean confirms(String node, BlockId id) {
        if (!placement.writable(node)) {
            return false;
        }
        try {
            return placement.client(node).has(id);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The block's bytes from the first node that has a copy that hashes right (holders up first, then any member). */
    private byte[] fetch(BlockId id, List<String> holders) {
        List<String> sources = new ArrayList<>(placement.upFirst(holders.stream().filter(h -> !h.equals(placement.self())).toList()));
        sources.addAll(placement.upFirst(placement.others(holders)));
        for (String node : sources) {
            if (!placement.writable(node)) {
                continue;
            }
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream(store.maxBlockSize());
                placement.client(node).read(id, 0, -1, out);
                byte[] bytes = out.toByteArray();
                if (BlockId.ofDigest(sha256(bytes)).equals(id)) {
                    return bytes;
                }
                LOG.warn("Repair: the copy of {} on {} does not match its hash; trying another", id, node);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Repair: {} not read from {}: {}", id, node, e.toString());
            }
        }
        return null;
    }

    private void storeLocally(BlockId id, byte[] bytes) throws IOException {
        SealedBlock sealed;
        try (BlockWriter w = store.newWriter()) {
            w.write(bytes, 0, bytes.length);
            sealed = w.seal();
        }
        try {
            if (!sealed.id().equals(id)) {
                throw new IOException("stored " + sealed.id() + " for " + id);
            }
            store.awaitDurable(List.of(sealed));
        } finally {
            store.release(List.of(sealed));
        }
    }

    /** Sleeps as long as copying ran ahead of the bandwidth (a rate limit, not a wait for anything). */
    private void throttle(long bytes, long t0) {
        long due = t0 + (long) (bytes * 1e9 / bandwidth);
        long ahead = due - System.nanoTime();
        if (ahead > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(ahead);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    private void appendInBatches(List<String> ids, java.util.function.Function<List<String>, Event> event)
            throws LedgerUnavailableException {
        for (int from = 0; from < ids.size(); from += EVENT_BATCH) {
            try {
                ledger.append("system", "repair", event.apply(List.copyOf(ids.subList(from, Math.min(ids.size(), from + EVENT_BATCH)))));
            } catch (RejectedException e) {
                LOG.warn("The log refused a repair record: {}", e.rejection());
            }
        }
    }

    private static long eta(long bytes, long rate) {
        return rate <= 0 ? -1 : (long) Math.ceil((double) bytes / rate);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For the admin API: the progress as a JSON-friendly map. */
    public Map<String, Object> describe() {
        Progress p = progress;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", p.state());
        m.put("blocksToCopy", p.blocksToCopy());
        m.put("blocksCopied", p.blocksCopied());
        m.put("blocksLeft", p.blocksLeft());
        m.put("bytesToCopy", p.bytesToCopy());
        m.put("bytesCopied", p.bytesCopied());
        m.put("bytesLeft", p.bytesLeft());
        m.put("blocksDropped", p.blocksDropped());
        m.put("lostBlocks", p.lostBlocks());
        m.put("bytesPerSecond", Math.round(p.bytesPerSecond()));
        m.put("etaSeconds", p.etaSeconds());
        m.put("passStarted", p.passStarted() == null ? null : p.passStarted().toString());
        m.put("passFinished", p.passFinished() == null ? null : p.passFinished().toString());
        m.put("passes", p.passes());
        m.put("layoutVersion", p.layoutVersion());
        m.put("surplusLeft", p.surplusLeft());
        m.put("bandwidthBytesPerSecond", bandwidth);
        m.put("totalBlocksCopied", totalBlocksCopied.get());
        m.put("totalBytesCopied", totalBytesCopied.get());
        m.put("totalBlocksDropped", totalBlocksDropped.get());
        return m;
    }
}
