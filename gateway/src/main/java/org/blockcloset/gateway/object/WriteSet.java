package org.blockcloset.gateway.object;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.storage.BlockId;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.BlockWriter;
import org.blockcloset.storage.SealedBlock;

/**
 * The blocks one write request creates or reuses, pinned from the moment they are written or
 * retained until the request's event is settled by {@link ObjectService#commit}. Closing a write
 * set that was never committed gives everything back: created blocks are discarded, reused ones
 * released. Not thread-safe: one request, one write set.
 */
public final class WriteSet implements AutoCloseable {
    private final BlockStore store;
    private final List<SealedBlock> created = new ArrayList<>();
    private final List<SealedBlock> reused = new ArrayList<>();
    private final List<BlockRef> run = new ArrayList<>();
    private BlockWriter open;
    private boolean settled;

    WriteSet(BlockStore store) {
        this.store = store;
    }

    /** Appends bytes to the current run, cutting it into blocks of the store's block size. */
    public void write(byte[] b, int off, int len) throws IOException {
        int blockSize = store.maxBlockSize();
        while (len > 0) {
            if (open == null) {
                open = store.newWriter();
            }
            int room = (int) Math.min(len, blockSize - open.size());
            open.write(b, off, room);
            off += room;
            len -= room;
            if (open.size() == blockSize) {
                sealOpen();
            }
        }
    }

    /** Ends the current run of bytes and returns its blocks in order (none for an empty run). */
    public List<BlockRef> endRun() throws IOException {
        if (open != null) {
            if (open.size() > 0) {
                sealOpen();
            } else {
                open.close();
                open = null;
            }
        }
        List<BlockRef> out = List.copyOf(run);
        run.clear();
        return out;
    }

    /**
     * Pins existing blocks this write references without writing them (copies, completes), so
     * garbage collection cannot take them before the event referencing them is in the log.
     *
     * @throws org.blockcloset.storage.BlockNotFoundException if one is gone (nothing more is pinned then)
     */
    public void reuse(Collection<BlockId> ids) throws IOException {
        reused.addAll(store.retain(ids));
    }

    private void sealOpen() throws IOException {
        SealedBlock s = open.seal();
        open = null;
        created.add(s);
        run.add(new BlockRef(s.id(), s.size()));
    }

    void awaitDurable() throws IOException {
        if (open != null) {
            throw new IllegalStateException("a run of bytes was not ended before commit");
        }
        store.awaitDurable(created);
    }

    /**
     * Unpins everything. {@code keep}: the event references the created blocks (or may, when its
     * outcome is unknown), so they stay for garbage collection to judge; otherwise they are dropped.
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
    }

    @Override
    public void close() {
        if (open != null) {
            open.close();
            open = null;
        }
        settle(false);
    }
}
