package org.blockcloset.gateway.object;

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
import org.blockcloset.storage.BlockId;
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

    private final Ledger ledger;
    private final BlockStore store;
    private final ConcurrentLinkedQueue<ByteBuffer> pool = new ConcurrentLinkedQueue<>();

    public ObjectService(Ledger ledger, BlockStore store) {
        this.ledger = ledger;
        this.store = store;
    }

    /** Starts a write; the caller closes it (try-with-resources), after {@link #commit} or on failure. */
    public WriteSet begin() {
        return new WriteSet(store);
    }

    /**
     * Makes the write set's blocks durable, appends the event that references them and settles the
     * write set. Returns once the event is durable in the log and visible to every later read.
     */
    public LoggedEvent commit(WriteSet write, String actor, String requestId, Event event)
            throws IOException, RejectedException, LedgerUnavailableException {
        write.awaitDurable();
        try {
            LoggedEvent logged = ledger.append(actor, requestId, event);
            write.settle(true);
            return logged;
        } catch (LedgerUnavailableException e) {
            write.settle(!e.definitelyNotWritten());
            throw e;
        } catch (RejectedException e) {
            write.settle(false);
            throw e;
        }
    }

    /** Bytes a new write can still take. */
    public long freeSpace() {
        return store.free();
    }

    /** Largest block size: the unit in which objects are cut and read. */
    public int blockSize() {
        return store.maxBlockSize();
    }

    /** Writes bytes {@code first..last} (inclusive) of the object made of {@code blocks}. */
    public void read(List<BlockRef> blocks, long first, long last, OutputStream out) throws IOException {
        // Pinned for the whole stream: if the object is overwritten or deleted meanwhile, GC still
        // cannot take its blocks from under this reader.
        List<SealedBlock> pinned = store.retain(idsInRange(blocks, first, last));
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
                store.read(b.id(), buf);
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
        store.read(block.id(), dst);
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
