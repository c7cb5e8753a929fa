package org.blockcloset.gateway.node;

import com.codahale.metrics.health.HealthCheck;
import org.blockcloset.storage.BlockStore;

/** Reports capacity; unhealthy when the lent space is full, so the owner sees it before uploads fail. */
public final class BlockStoreHealthCheck extends HealthCheck {
    private final BlockStore store;

    public BlockStoreHealthCheck(BlockStore store) {
        this.store = store;
    }

    @Override
    protected Result check() {
        if (store.capacity() == 0) {
            return Result.healthy("lends no disk (a gateway without the storage role)");
        }
        String summary = String.format("%d of %d bytes used", store.used(), store.capacity());
        return store.free() > 0 ? Result.healthy(summary) : Result.unhealthy("full: " + summary);
    }
}
