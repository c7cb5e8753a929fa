package org.blockcloset.gateway.s3;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.storage.BlockId;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.SealedBlock;

/**
 * Sends a byte range of an object. Each block is read whole and its hash verified before any of
 * its bytes are written, so a corrupt block fails the request instead of reaching the client.
 */
final class BlockStreamer {
    private static final int POOLED_BUFFERS = 64;

    private final BlockStore store;
    private final ConcurrentLinkedQueue<ByteBuffer> pool = new ConcurrentLinkedQueue<>();

    BlockStreamer(BlockStore store) {
        this.store = store;
    }

    /** Writes bytes {@code first..last} (inclusive) of the object made of {@code blocks}. */
    void stream(List<BlockRef> blocks, long first, long last, OutputStream out) throws IOException {
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
                store.read(new BlockId(b.id()), buf);
                int from = (int) Math.max(0, first - blockFirst);
                int to = (int) Math.min(b.size() - 1, last - blockFirst);
                out.write(buf.array(), buf.arrayOffset() + from, to - from + 1);
            }
        } finally {
            release(buf);
            store.release(pinned);
        }
    }

    /** Ids of the blocks holding bytes {@code first..last}. */
    static List<BlockId> idsInRange(List<BlockRef> blocks, long first, long last) {
        List<BlockId> ids = new java.util.ArrayList<>();
        long pos = 0;
        for (BlockRef b : blocks) {
            long blockFirst = pos;
            pos += b.size();
            if (pos - 1 >= first && blockFirst <= last) {
                ids.add(new BlockId(b.id()));
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
