package org.blockcloset.storage;

import org.blockcloset.ledger.model.BlockId;
import java.util.concurrent.CompletableFuture;

/**
 * A block whose bytes are complete. {@code placed} completes once its file is fsync'd and renamed
 * into place (directory not yet synced); {@link BlockStore#awaitDurable} finishes the job.
 *
 * @param created true when this writer created the block, false when it already existed (dedupe)
 */
public record SealedBlock(BlockId id, long size, boolean created, CompletableFuture<Void> placed) {
}
