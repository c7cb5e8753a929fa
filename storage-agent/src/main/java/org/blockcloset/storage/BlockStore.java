package org.blockcloset.storage;

import org.blockcloset.ledger.model.BlockId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Content-addressed, checksummed block storage on one agent's disk, bounded by the capacity its
 * owner lends. Later issues serve this interface over the network to other nodes, so it speaks
 * only in blocks: it knows nothing of buckets, objects or the log.
 *
 * <p>Write protocol: {@link #newWriter()}, write bytes, {@link BlockWriter#seal()}, then
 * {@link #awaitDurable(Collection)} on every sealed block of a request before that request's event
 * is appended to the log. A block is never visible under its id before its bytes are complete.
 */
public interface BlockStore extends Closeable {

    /** Largest block this store accepts, in bytes. Writers refuse to grow past it. */
    int maxBlockSize();

    /** Starts a new block. The caller must {@link BlockWriter#seal()} or {@link BlockWriter#close()} it. */
    BlockWriter newWriter() throws IOException;

    /**
     * Blocks until every given block is durable: its file fsync'd and renamed into place and the
     * directory entry fsync'd. Directory fsyncs are shared between concurrent callers (group commit).
     */
    void awaitDurable(Collection<SealedBlock> blocks) throws IOException;

    /**
     * Reads a whole block into {@code dst}, verifying its SHA-256 before returning. {@code dst} is
     * cleared first and its capacity must hold the block. On return, {@code dst} is flipped and
     * holds exactly the block's bytes.
     *
     * @throws BlockNotFoundException if the block is absent
     * @throws CorruptBlockException if the bytes on disk do not hash to the id; {@code dst} is left
     *     empty (position and limit 0)
     * @throws IllegalArgumentException if the block is larger than {@code dst}'s capacity
     */
    void read(BlockId id, ByteBuffer dst) throws IOException;

    boolean has(BlockId id);

    /** Size in bytes of a stored block, or -1 if absent. */
    long size(BlockId id);

    /**
     * Deletes a block unconditionally; returns whether it existed. Frees its space from the quota.
     * A writer may have just deduplicated against it: garbage collection uses
     * {@link #deleteIfUntouchedSince} instead.
     */
    boolean delete(BlockId id) throws IOException;

    /**
     * Deletes a block only if it was last written or touched (by a deduplicating seal) strictly
     * before {@code cutoff}, deciding atomically with respect to such touches. Returns whether it
     * deleted the block.
     */
    boolean deleteIfUntouchedSince(BlockId id, Instant cutoff) throws IOException;

    /**
     * Unpins and drops blocks that a failed request created, unless something touched them since (another
     * writer stored the same content meanwhile). Used so that a refused upload leaves no space taken.
     */
    void discard(Collection<SealedBlock> blocks);

    /**
     * Pins existing blocks, as if this caller had just written them, until {@link #release}: for
     * requests that reference or read blocks they did not write (copies, reads), so garbage
     * collection cannot take them mid-request even if their last reference goes meanwhile.
     *
     * @throws BlockNotFoundException if a block is gone (nothing stays pinned then)
     */
    List<SealedBlock> retain(Collection<BlockId> ids) throws IOException;

    /**
     * Unpins blocks once an event referencing them is in the log. Every sealed block is pinned
     * (garbage collection spares it) until {@link #release} or {@link #discard} is called for it.
     */
    void release(Collection<SealedBlock> blocks);

    /**
     * Every stored block, listed lazily (I/O errors while streaming surface as
     * {@link java.io.UncheckedIOException}). The stream must be closed.
     */
    Stream<BlockInfo> list() throws IOException;

    /** Capacity lent by the owner, in bytes. */
    long capacity();

    /** Bytes used by stored blocks plus reservations of writers in progress. */
    long used();

    default long free() {
        return Math.max(0, capacity() - used());
    }
}
