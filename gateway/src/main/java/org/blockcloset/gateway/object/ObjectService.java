package org.blockcloset.gateway.object;

import org.blockcloset.storage.care.BlockPlacement;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.model.BlockRef;
import java.util.Map;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockNotFoundException;
import org.blockcloset.storage.CorruptBlockException;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.SealedBlock;

/**
 * The object protocols, written once. S3 handlers parse requests and answer them; this class owns
 * what makes a write safe and a read correct:
 *
 * <ol>
 *   <li>write: blocks are pinned as they are written or reused ({@link WriteSet}); before the event
 *       is appended they are durable (fsync'd file and directory); once the event is in the log and
 *       applied they are released. A refused or failed append discards the blocks it created; an
 *       append whose outcome is unknown keeps them (the event may still land and need them;
 *       garbage collection reclaims them otherwise).</li>
 *   <li>read: the blocks of a byte range are pinned for the whole stream, and each block is read
 *       whole and its hash verified before any of its bytes reach the client.</li>
 * </ol>
 */
public final class ObjectService {
    private static final int POOLED_BUFFERS = 64;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ObjectService.class);

    private final Ledger ledger;
    private final BlockStore store;
    private final BlockPlacement placement;
    private final ConcurrentLinkedQueue<ByteBuffer> pool = new ConcurrentLinkedQueue<>();
    /**
     * Blocks that writes may have in flight beyond the one each write always has (ADR 0010): a
     * node-wide budget of buffers, so one client streaming a large object keeps several blocks on
     * their way to the replicas while many clients at once get one each, and the heap holds at most
     * this many extra 1 MiB buffers.
     */
    static final int PIPELINE_BUDGET = 12;
    private final java.util.concurrent.Semaphore pipeline = new java.util.concurrent.Semaphore(PIPELINE_BUDGET);
    /**
     * Replica writes to other nodes, a thread per copy in flight. Not a fixed pool: copies to a
     * paused node hang until their timeout, and queued behind them a copy to a healthy node would
     * wait seconds (seen: a 4 s PUT while its replicas answered in 3 ms). Past the cap, the request's
     * own thread sends the copy.
     */
    private final java.util.concurrent.ExecutorService io = new java.util.concurrent.ThreadPoolExecutor(0, MAX_REPLICA_IO_THREADS,
            60, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "replica-io");
                t.setDaemon(true);
                return t;
            }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
    static final int MAX_REPLICA_IO_THREADS = 512;

    /** Lease settlements: not on any request's path, so they never delay a replica write. */
    private final java.util.concurrent.ExecutorService settling = java.util.concurrent.Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "lease-settle");
        t.setDaemon(true);
        return t;
    });

    private com.codahale.metrics.Meter blocksRead = new com.codahale.metrics.Meter();
    private com.codahale.metrics.Meter blocksWritten = new com.codahale.metrics.Meter();

    /** Block I/O as metrics: bytes of blocks read for clients (verified), bytes of new blocks written by requests. */
    public void meter(com.codahale.metrics.MetricRegistry registry) {
        blocksRead = registry.meter("blocks.read-bytes");
        blocksWritten = registry.meter("blocks.written-bytes");
    }

    public ObjectService(Ledger ledger, BlockStore store, BlockPlacement placement) {
        this.ledger = ledger;
        this.store = store;
        this.placement = placement;
    }

    /**
     * Starts a write into {@code bucket} (its replication factor decides the copies); the caller
     * closes it (try-with-resources), after {@link #commit} or on failure.
     */
    public WriteSet begin(String bucket) {
        return new WriteSet(store, placement, io, settling, pipeline, placement.copiesFor(bucket));
    }

    /** {@link #begin(String)} for a bucket the request has read already. */
    public WriteSet begin(org.blockcloset.ledger.model.Bucket bucket) {
        return new WriteSet(store, placement, io, settling, pipeline, placement.copiesFor(bucket));
    }

    /**
     * Makes the write set's blocks durable, appends the event that references them and settles the
     * write set. Returns once the event is durable in the log and visible to every later read.
     */
    public Ledger.Appended commit(WriteSet write, String actor, String requestId, String source, Event event)
            throws IOException, RejectedException, LedgerUnavailableException {
        write.awaitDurable();
        blocksWritten.mark(write.bytesWritten());
        org.blockcloset.ledger.trace.Trace.mark("blocks durable");
        write.traceReplicas(org.blockcloset.ledger.trace.Trace.current());
        try {
            Ledger.Appended logged = ledger.appendWithOffset(actor, requestId, source, event);
            // The event references the blocks from now on: keep them, whatever happens next.
            write.settle(true);
            if (write.mayMiss()) {
                // Off the request's path: late copies get their last moment, the record its own append.
                settling.execute(() -> recordMissing(write, actor, requestId));
            }
            return logged;
        } catch (LedgerUnavailableException e) {
            write.settle(!e.definitelyNotWritten());
            throw e;
        } catch (RejectedException e) {
            write.settle(false);
            throw e;
        }
    }

    /** The write was acknowledged with copies missing: the record the repair works from (best effort). */
    private void recordMissing(WriteSet write, String actor, String requestId) {
        try {
            Map<String, List<String>> missing = write.missing();
            if (missing.isEmpty()) {
                return;
            }
            ledger.append(actor, requestId, new org.blockcloset.ledger.event.BlocksUnderReplicated(Map.copyOf(missing)));
        } catch (RejectedException | LedgerUnavailableException | RuntimeException e) {
            LOG.warn("{} under-replicated block(s) of request {} not recorded: {}", write.missing().size(), requestId, e.toString());
        }
    }

    /**
     * Bytes a new write can still take, checked before a body is read: this disk's free space on a
     * single node; in a cluster the replicas answer 507 themselves, block by block.
     */
    public long freeSpace() {
        return placement.clustered() ? Long.MAX_VALUE : store.free();
    }

    /** Largest block size: the unit in which objects are cut and read. */
    public int blockSize() {
        return store.maxBlockSize();
    }

    /**
     * Writes bytes {@code first..last} (inclusive) of the object made of {@code blocks}. Each block
     * comes from this node's disk when it holds a good copy, else from the other replicas in turn;
     * every copy's hash is verified before any of its bytes are written.
     */
    public void read(List<BlockRef> blocks, long first, long last, OutputStream out) throws IOException {
        // Pinned for the whole stream: if the object is overwritten or deleted meanwhile, GC still
        // cannot take its blocks from under this reader.
        List<BlockId> ids = idsInRange(blocks, first, last);
        List<SealedBlock> pinned = store.retain(placement.clustered() ? ids.stream().filter(store::has).toList() : ids);
        ByteBuffer buf = null;
        try {
            long pos = 0;
            for (BlockRef b : blocks) {
                long blockFirst = pos;
                pos += b.size();
                if (pos - 1 < first) {
                    continue;
                }
                if (blockFirst > last) {
                    break;
                }
                if (buf == null || buf.capacity() < b.size()) {
                    release(buf);
                    buf = acquire((int) b.size());
                }
                fetch(b, buf);
                blocksRead.mark(b.size());
                int from = (int) Math.max(0, first - blockFirst);
                int to = (int) Math.min(b.size() - 1, last - blockFirst);
                out.write(buf.array(), buf.arrayOffset() + from, to - from + 1);
            }
        } finally {
            release(buf);
            store.release(pinned);
        }
    }

    /**
     * Reads one whole block, hash verified, into {@code dst} (cleared first, flipped on return). The
     * caller pins it first (a {@link WriteSet#reuse}) if it must not vanish meanwhile.
     */
    public void readBlock(BlockRef block, ByteBuffer dst) throws IOException {
        fetch(block, dst);
    }

    /** A good copy of a block: the local one, else the replicas', then any other member's. */
    private void fetch(BlockRef b, ByteBuffer dst) throws IOException {
        IOException failure = null;
        if (!placement.clustered() || store.has(b.id())) {
            try {
                store.read(b.id(), dst);
                return;
            } catch (IOException e) {
                if (!placement.clustered()) {
                    throw e;
                }
                failure = e;
                LOG.warn("local copy of block {} unusable ({}); reading another replica", b.id(), e.getMessage());
            }
        }
        List<String> replicas = placement.replicas(b.id());
        List<String> candidates = new ArrayList<>(placement.upFirst(replicas));
        candidates.addAll(placement.upFirst(placement.others(replicas)));
        candidates.remove(placement.self());
        for (String node : candidates) {
            try {
                dst.clear();
                placement.client(node).read(b.id(), 0, -1, new ByteBufferOutput(dst));
                dst.flip();
                if (dst.remaining() == b.size() && b.id().equals(BlockId.ofDigest(sha256(dst.duplicate())))) {
                    return;
                }
                failure = new CorruptBlockException(b.id(), "the copy from " + node + " does not hash to its id");
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
            }
        }
        dst.clear().flip();
        throw failure != null ? failure : new BlockNotFoundException(b.id());
    }

    private static byte[] sha256(ByteBuffer b) {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            d.update(b);
            return d.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streams a remote block into a buffer; more bytes than it holds is an error, not a silent cut. */
    private static final class ByteBufferOutput extends OutputStream {
        private final ByteBuffer dst;

        ByteBufferOutput(ByteBuffer dst) {
            this.dst = dst;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > dst.remaining()) {
                throw new IOException("the block is larger than its size says");
            }
            dst.put(b, off, len);
        }
    }

    /** Ids of the blocks holding bytes {@code first..last}. */
    public static List<BlockId> idsInRange(List<BlockRef> blocks, long first, long last) {
        List<BlockId> ids = new ArrayList<>();
        long pos = 0;
        for (BlockRef b : blocks) {
            long blockFirst = pos;
            pos += b.size();
            if (pos - 1 >= first && blockFirst <= last) {
                ids.add(b.id());
            }
        }
        return ids;
    }

    private ByteBuffer acquire(int size) {
        if (size < store.maxBlockSize()) {
            return ByteBuffer.allocate(size);
        }
        ByteBuffer b = pool.poll();
        return b != null ? b : ByteBuffer.allocate(store.maxBlockSize());
    }

    private void release(ByteBuffer b) {
        if (b != null && b.capacity() == store.maxBlockSize() && pool.size() < POOLED_BUFFERS) {
            b.clear();
            pool.offer(b);
        }
    }
}
