package org.blockcloset.gateway.object;

import org.blockcloset.storage.care.BlockPlacement;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.InsufficientStorageException;
import org.blockcloset.storage.SealedBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocks one write request creates or reuses, pinned from the moment they are written or
 * retained until the request's event is settled by {@link ObjectService#commit}. Closing a write
 * set that was never committed gives everything back: created blocks are discarded, reused ones
 * released. Not thread-safe: one request, one write set.
 *
 * <p>Each block is cut from the request's bytes, hashed, and written to its replicas (ADR 0010):
 * this node's disk when it is one of them, the others through their block API in parallel, under a
 * lease this write owns on each of them. A block counts as written once the write quorum holds it
 * durably; a replica that failed or had not answered by then is recorded as missing. A single node
 * writes to its own disk only, as before.
 *
 * <p>Blocks are pipelined: while block <i>n</i>'s copies are on their way, block <i>n+1</i> is cut
 * and sent, up to {@link #MAX_IN_FLIGHT} blocks per write when the node-wide budget of buffers has
 * room (one block per write always). A block's quorum is judged in order, and every block's before
 * {@link #endRun} returns, so a write never commits a block that is not durable.
 */
public final class WriteSet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteSet.class);

    private final BlockStore store;
    private final BlockPlacement placement;
    private final ExecutorService io;
    private final String lease = UUID.randomUUID().toString();
    private final List<SealedBlock> created = new ArrayList<>();
    private final List<SealedBlock> reused = new ArrayList<>();
    private final Set<String> leased = new LinkedHashSet<>();
    private final Map<String, List<String>> missing = new LinkedHashMap<>();
    /** Copies not yet confirmed when their block's quorum was: block hex → node → its write. */
    private final Map<String, Map<String, CompletableFuture<Void>>> late = new LinkedHashMap<>();
    private final List<BlockRef> run = new ArrayList<>();
    private byte[] buf;
    private int len;
    private boolean settled;

    private final ExecutorService settling;
    /** Copies each block of this write keeps (its bucket's factor, capped by the layout's). */
    private final int copyCount;
    /** The node-wide budget of blocks in flight beyond each write's first. */
    private final java.util.concurrent.Semaphore pipeline;
    /** Blocks sent to their replicas whose quorum has not been judged yet, oldest first. */
    private final java.util.ArrayDeque<InFlight> inFlight = new java.util.ArrayDeque<>();

    /** Blocks one write keeps in flight at most (1 MiB buffers each). */
    static final int MAX_IN_FLIGHT = 4;

    /** A block on its way: its copies, the replicas already known to lack it, and whether it holds a budget permit. */
    private record InFlight(BlockId id, byte[] data, int n, List<String> targets,
            Map<String, CompletableFuture<Void>> copies, List<String> lacking, List<String> skippedStalled, boolean permit) {
    }

    WriteSet(BlockStore store, BlockPlacement placement, ExecutorService io, ExecutorService settling,
            java.util.concurrent.Semaphore pipeline, int copyCount) {
        this.copyCount = copyCount;
        this.pipeline = pipeline;
        this.store = store;
        this.placement = placement;
        this.io = io;
        this.settling = settling;
    }

    /** Appends bytes to the current run, cutting it into blocks of the store's block size. */
    public void write(byte[] b, int off, int n) throws IOException {
        int blockSize = store.maxBlockSize();
        while (n > 0) {
            if (buf == null) {
                buf = new byte[blockSize];
            }
            int room = Math.min(n, blockSize - len);
            System.arraycopy(b, off, buf, len, room);
            len += room;
            off += room;
            n -= room;
            if (len == blockSize) {
                storeBlock();
            }
        }
    }

    /** Ends the current run of bytes and returns its blocks in order (none for an empty run). */
    public List<BlockRef> endRun() throws IOException {
        // The slow-request log's stages: the body (and the blocks already cut from it, sent on their
        // way), then the wait for the last blocks' quorums.
        org.blockcloset.ledger.trace.Trace.mark("body received");
        if (len > 0) {
            storeBlock();
        }
        while (!inFlight.isEmpty()) {
            judgeOldest();
        }
        org.blockcloset.ledger.trace.Trace.mark("blocks on a quorum");
        List<BlockRef> out = List.copyOf(run);
        run.clear();
        return out;
    }

    /**
     * Pins existing blocks this write references without writing them (copies, completes), so
     * garbage collection cannot take them before the event referencing them is in the log: here, and
     * on the other replicas (best effort: a replica that lacks one is under-replicated already).
     *
     * @throws org.blockcloset.storage.BlockNotFoundException if one is gone (nothing more is pinned then)
     */
    public void reuse(Collection<BlockId> ids) throws IOException {
        if (!placement.clustered()) {
            reused.addAll(store.retain(ids));
            return;
        }
        List<BlockId> here = ids.stream().filter(store::has).toList();
        reused.addAll(store.retain(here));
        Map<String, List<BlockId>> byNode = new HashMap<>();
        for (BlockId id : ids) {
            for (String node : placement.replicas(id)) {
                if (!node.equals(placement.self())) {
                    byNode.computeIfAbsent(node, k -> new ArrayList<>()).add(id);
                }
            }
        }
        java.util.Set<BlockId> pinned = new java.util.HashSet<>(here);
        byNode.forEach((node, list) -> {
            for (int from = 0; from < list.size(); from += RETAIN_BATCH) {
                List<BlockId> batch = list.subList(from, Math.min(list.size(), from + RETAIN_BATCH));
                try {
                    leased.add(node);
                    if (placement.client(node).retain(lease, batch)) {
                        pinned.addAll(batch);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.debug("could not pin {} block(s) on {}: {}", batch.size(), node, e.toString());
                }
            }
        });
        // A block off its replicas (a fallback copy, or written before the node that should hold it
        // joined) is looked for on every other member before the request is refused.
        List<BlockId> unpinned = ids.stream().filter(id -> !pinned.contains(id)).distinct().toList();
        if (!unpinned.isEmpty()) {
            for (String node : placement.others(List.of())) {
                for (BlockId id : unpinned) {
                    if (pinned.contains(id)) {
                        continue;
                    }
                    try {
                        leased.add(node);
                        if (placement.client(node).retain(lease, List.of(id))) {
                            pinned.add(id);
                        }
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("block {} not pinned on {}: {}", id, node, e.toString());
                    }
                }
            }
        }
        for (BlockId id : ids) {
            if (!pinned.contains(id)) {
                throw new org.blockcloset.storage.BlockNotFoundException(id); // no node holds it any more
            }
        }
    }

    /** Ids per retain call: well under the block API's 1 MiB body limit. */
    private static final int RETAIN_BATCH = 5_000;

    /** Blocks whose replicas did not all confirm a copy: hex id → the nodes that may lack it. */
    /** Whether some copy failed, was skipped, or was still in flight when its block's quorum was reached. */
    boolean mayMiss() {
        return !missing.isEmpty() || !late.isEmpty();
    }

    /** Called once, after commit (off the request's path). */
    Map<String, List<String>> missing() {
        if (late.isEmpty()) {
            return missing;
        }
        // Late copies get a last moment to land; those that failed or still have not are missing.
        long deadline = System.nanoTime() + LATE_GRACE.toNanos();
        Map<String, List<String>> out = new LinkedHashMap<>();
        missing.forEach((block, nodes) -> out.put(block, new ArrayList<>(nodes)));
        late.forEach((block, writes) -> writes.forEach((node, f) -> {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.computeIfAbsent(block, b -> new ArrayList<>()).add(node);
            } catch (ExecutionException | TimeoutException e) {
                out.computeIfAbsent(block, b -> new ArrayList<>()).add(node);
            }
        }));
        late.clear();
        missing.clear();
        missing.putAll(out);
        return missing;
    }

    /** How long, at commit, copies still in flight may take before they are recorded as missing. */
    private static final java.time.Duration LATE_GRACE = java.time.Duration.ofMillis(500);

    private void storeBlock() throws IOException {
        byte[] data = buf;
        int n = len;
        buf = null;
        len = 0;
        BlockId id = BlockId.ofDigest(sha256(data, n));
        List<String> targets = placement.replicas(id, copyCount);
        if (targets.size() == 1 && targets.get(0).equals(placement.self())) {
            long t0 = System.nanoTime();
            writeLocal(data, n); // a single node: its disk is the only replica, failures are the request's
            addReplicaTime(placement.self(), t0, -1);
            run.add(new BlockRef(id, n));
            written.add(n);
            return;
        }
        // Room for this block: a budget permit, or else the oldest block in flight judged first.
        boolean permit = false;
        while (!inFlight.isEmpty()) {
            if (inFlight.size() < MAX_IN_FLIGHT && pipeline.tryAcquire()) {
                permit = true;
                break;
            }
            judgeOldest();
        }
        Map<String, CompletableFuture<Void>> copies = new LinkedHashMap<>();
        List<String> lacking = new ArrayList<>();
        // A stalled node (a copy unanswered for a second, nothing answered since) is skipped like a
        // down one, unless the quorum needs it: then it gets its chance to answer. Each node's state
        // is read once, so the count and the choice agree.
        int quorum = Math.min(BlockPlacement.writeQuorum(copyCount), targets.size());
        Set<String> down = new java.util.HashSet<>();
        Set<String> stalled = new java.util.HashSet<>();
        for (String node : targets) {
            if (!placement.writable(node)) {
                down.add(node);
            } else if (placement.stalled(node)) {
                stalled.add(node);
            }
        }
        boolean skipStalled = targets.size() - down.size() - stalled.size() >= quorum;
        List<String> skippedStalled = new ArrayList<>();
        for (String node : targets) {
            if (node.equals(placement.self())) {
                continue;
            }
            if (down.contains(node) || (skipStalled && stalled.contains(node))) {
                lacking.add(node); // down, suspect or stalled: recorded as missing, not waited for
                if (stalled.contains(node)) {
                    skippedStalled.add(node);
                }
                continue;
            }
            leased.add(node);
            long sent = System.nanoTime();
            long ticket = placement.copySent(node);
            try {
                copies.put(node, CompletableFuture.runAsync(() -> {
                    long stored = -1;
                    try {
                        stored = putRemote(node, id, data, n);
                    } finally {
                        placement.copyAnswered(node, ticket);
                        addReplicaTime(node, sent, stored); // from sending, so time queued for a thread counts too
                    }
                }, io));
            } catch (RuntimeException e) {
                placement.copyAnswered(node, ticket); // never sent: it must not make the node look stalled
                throw e;
            }
        }
        if (targets.contains(placement.self())) {
            CompletableFuture<Void> local = new CompletableFuture<>();
            try {
                long t0 = System.nanoTime();
                writeLocal(data, n);
                addReplicaTime(placement.self(), t0, -1);
                local.complete(null);
            } catch (IOException | RuntimeException e) {
                local.completeExceptionally(e);
            }
            copies.put(placement.self(), local);
        }
        run.add(new BlockRef(id, n));
        written.add(n);
        inFlight.add(new InFlight(id, data, n, targets, copies, lacking, skippedStalled, permit));
    }

    /** Waits for the oldest block in flight to reach its quorum (with fallback copies if needed); throws if it cannot. */
    private void judgeOldest() throws IOException {
        InFlight b = inFlight.poll();
        try {
            judge(b);
        } finally {
            if (b.permit()) {
                pipeline.release();
            }
        }
    }

    private void judge(InFlight b) throws IOException {
        BlockId id = b.id();
        byte[] data = b.data();
        int n = b.n();
        List<String> targets = b.targets();
        Map<String, CompletableFuture<Void>> copies = b.copies();
        List<String> lacking = b.lacking();
        boolean someSkipped = !lacking.isEmpty();
        int quorum = Math.min(BlockPlacement.writeQuorum(copyCount), targets.size());
        long waitStart = System.nanoTime();
        int durable = awaitQuorum(copies.values(), quorum);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitStart);
        if (waitedMs >= SLOW_QUORUM.toMillis()) {
            // A slow write says which replica held it and why (each copy's state when the wait ended).
            Map<String, String> state = new LinkedHashMap<>();
            copies.forEach((node, f) -> state.put(node, !f.isDone() ? "unanswered"
                    : f.isCompletedExceptionally() ? "failed: " + cause(f) : "durable"));
            lacking.forEach(node -> state.put(node, "skipped (down, suspect, refused or stalled)"));
            LOG.info("block {}: {} of {} copies durable after {} ms; replicas {}", id, durable, quorum, waitedMs, state);
        }
        Map<String, CompletableFuture<Void>> late = new LinkedHashMap<>();
        copies.forEach((node, f) -> {
            if (f.isCompletedExceptionally()) {
                lacking.add(node);
            } else if (!f.isDone()) {
                late.put(node, f); // judged at commit: it has the rest of the request to land
            }
        });
        boolean onlyFull = copies.values().stream().anyMatch(CompletableFuture::isCompletedExceptionally)
                && copies.values().stream().filter(CompletableFuture::isCompletedExceptionally)
                .allMatch(f -> cause(f) instanceof InsufficientStorageException);
        // This node's own disk first, when it lends and is not one of the block's replicas.
        if (durable < quorum && !targets.contains(placement.self()) && placement.lendsHere()) {
            try {
                writeLocal(data, n);
                durable++;
            } catch (IOException | RuntimeException e) {
                onlyFull &= e instanceof InsufficientStorageException;
            }
        }
        // Fewer than the quorum: a replica skipped as stalled gets its chance after all, then another
        // member keeps a copy meanwhile (repair moves it later).
        List<String> fallbacks = new ArrayList<>(b.skippedStalled());
        fallbacks.addAll(placement.upFirst(placement.otherLenders(targets)));
        for (String other : fallbacks) {
            if (durable >= quorum) {
                break;
            }
            if (!placement.writable(other)) {
                continue;
            }
            try {
                leased.add(other);
                putRemote(other, id, data, n);
                durable++;
                lacking.remove(other);
            } catch (RuntimeException e) {
                onlyFull &= e.getCause() instanceof InsufficientStorageException;
                LOG.debug("fallback copy of {} on {} failed: {}", id, other, e.toString());
            }
        }
        if (durable < quorum) {
            // Every node that could take a copy is full: the store is, for this block (507, not 503).
            if (onlyFull && !someSkipped) {
                throw new InsufficientStorageException(n, 0);
            }
            throw new ReplicationException("block " + id + ": " + durable + " of " + quorum + " copies durable; replicas "
                    + targets + " did not confirm");
        }
        if (!lacking.isEmpty()) {
            missing.put(id.hex(), lacking);
        }
        if (!late.isEmpty()) {
            this.late.put(id.hex(), late);
        }
    }

    /** A quorum wait this long is logged with each copy's state. */
    private static final java.time.Duration SLOW_QUORUM = java.time.Duration.ofSeconds(1);

    private static Throwable cause(CompletableFuture<Void> f) {
        try {
            f.getNow(null);
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            Throwable c = e.getCause();
            return c instanceof java.io.UncheckedIOException u ? u.getCause() : c;
        }
    }

    /** Waits until {@code quorum} copies succeeded or every copy has finished; returns the successes. */
    static int awaitQuorum(Collection<CompletableFuture<Void>> copies, int quorum) throws IOException {
        long deadline = System.nanoTime() + BlockPlacement.REPLICA_TIMEOUT.toNanos() * 2;
        while (true) {
            // One pass sorts every copy into done or pending: a copy that finishes after this pass is
            // pending, and waiting on it returns at once. (Counting first and collecting the pending
            // ones in a second pass lost a copy finishing in between: waiting on none never ended,
            // and the write sat out the 4 s deadline with its quorum long reached.)
            int ok = 0;
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (CompletableFuture<Void> f : copies) {
                if (!f.isDone()) {
                    pending.add(f);
                } else if (!f.isCompletedExceptionally()) {
                    ok++;
                }
            }
            if (ok >= quorum || pending.isEmpty() || System.nanoTime() > deadline) {
                return ok;
            }
            try {
                CompletableFuture.anyOf(pending.toArray(CompletableFuture[]::new))
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // a copy failed or the time is up: counted on the next pass
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while replicating");
            }
        }
    }

    private final java.util.concurrent.atomic.LongAdder written = new java.util.concurrent.atomic.LongAdder();

    /** Bytes of the blocks this write set wrote (each once, whatever the number of replicas). */
    long bytesWritten() {
        return written.sum();
    }

    /**
     * Per replica node: microseconds spent writing blocks there, how many, and of that time the
     * microseconds the node itself reported spending (the slow-request log's detail).
     */
    private final Map<String, java.util.concurrent.atomic.LongAdder[]> replicaTimes = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param storedMicros the other node's own time for the block (its Server-Timing), -1 for none or this node */
    private void addReplicaTime(String node, long startedNanos, long storedMicros) {
        java.util.concurrent.atomic.LongAdder[] t = replicaTimes.computeIfAbsent(node, k -> new java.util.concurrent.atomic.LongAdder[] {
                new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder(),
                new java.util.concurrent.atomic.LongAdder()});
        t[0].add((System.nanoTime() - startedNanos) / 1000);
        t[1].increment();
        t[2].add(Math.max(0, storedMicros));
    }

    /**
     * Adds each replica's block-write time to the request's trace ("block writes on NODE (n blocks)"),
     * and for another node the part it spent itself ("stored by NODE"): the rest is the round trip
     * and the wait for a thread on either side.
     */
    void traceReplicas(org.blockcloset.ledger.trace.Trace trace) {
        if (trace == null) {
            return;
        }
        new java.util.TreeMap<>(replicaTimes).forEach((node, t) -> {
            trace.detail("block writes on " + node + " (" + t[1].sum() + (t[1].sum() == 1 ? " block)" : " blocks)"), t[0].sum());
            if (!node.equals(placement.self())) {
                trace.detail("stored by " + node, t[2].sum());
            }
        });
    }

    private long putRemote(String node, BlockId id, byte[] data, int n) {
        try {
            return placement.client(node).put(id, data, 0, n, lease);
        } catch (java.net.ConnectException e) {
            placement.refused(node);
            throw new java.io.UncheckedIOException(e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void writeLocal(byte[] data, int n) throws IOException {
        try (BlockWriter w = store.newWriter()) {
            w.write(data, 0, n);
            created.add(w.seal());
        }
    }

    private static byte[] sha256(byte[] data, int n) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(data, 0, n);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void awaitDurable() throws IOException {
        if (len > 0 || !inFlight.isEmpty()) {
            throw new IllegalStateException("a run of bytes was not ended before commit");
        }
        store.awaitDurable(created);
    }

    /**
     * Unpins everything. {@code keep}: the event references the created blocks (or may, when its
     * outcome is unknown), so they stay for garbage collection to judge; otherwise they are dropped,
     * here and on the other replicas (whose leases end the same way, without waiting for them).
     */
    void settle(boolean keep) {
        if (settled) {
            return;
        }
        settled = true;
        if (keep) {
            store.release(created);
        } else {
            store.discard(created);
        }
        store.release(reused);
        for (String node : leased) {
            if (!placement.writable(node)) {
                continue; // a node that is down lets the lease expire by itself
            }
            settling.execute(() -> {
                try {
                    placement.client(node).settleLease(lease, keep);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("lease {} on {} not settled ({}); it expires by itself", lease, node, e.toString());
                }
            });
        }
    }

    @Override
    public void close() {
        buf = null;
        len = 0;
        // Blocks still in flight (the request failed first) give their permits back; their copies
        // land under this write's lease, which settles as discarded below or expires.
        for (InFlight b : inFlight) {
            if (b.permit()) {
                pipeline.release();
            }
        }
        inFlight.clear();
        settle(false);
    }
}
