package org.blockcloset.storage;

import java.io.Closeable;
import java.io.IOException;

/**
 * Streams one block to a temporary file while hashing it. Never holds the block in memory.
 * Not thread-safe: one request writes one block at a time.
 */
public interface BlockWriter extends Closeable {

    /**
     * Appends bytes. Space is reserved against the store's capacity as the block grows.
     *
     * @throws InsufficientStorageException if the capacity would be exceeded
     * @throws IllegalStateException if the block would exceed {@link BlockStore#maxBlockSize()}
     */
    void write(byte[] b, int off, int len) throws IOException;

    /** Bytes written so far. */
    long size();

    /**
     * Ends the block: computes its id and starts (asynchronously) the file fsync and the rename to
     * its content address. If a block with that id already exists, the temporary file is dropped
     * and the existing one is touched so that garbage collection spares it.
     */
    SealedBlock seal() throws IOException;

    /** Aborts the block if it was not sealed, deleting its temporary file and releasing its reservation. */
    @Override
    void close();
}
