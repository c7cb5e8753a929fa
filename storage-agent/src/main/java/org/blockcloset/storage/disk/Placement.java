package org.blockcloset.storage.disk;

import java.util.concurrent.CompletableFuture;

/**
 * The {@code placed} future of a block this store created. Remembers its directory's generation at
 * seal time so {@link DiskBlockStore#discard} can tell whether another writer may have come to rely
 * on the block since.
 */
final class Placement extends CompletableFuture<Void> {
    final long generationAtSeal;

    Placement(long generationAtSeal) {
        this.generationAtSeal = generationAtSeal;
    }
}
