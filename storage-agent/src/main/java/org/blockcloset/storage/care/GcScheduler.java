package org.blockcloset.storage.care;

import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.GarbageCollector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs block garbage collection periodically, only while the views (the source of references) are ready. */
public final class GcScheduler implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(GcScheduler.class);

    private final Ledger ledger;
    private final GarbageCollector gc;
    private final Duration interval;
    private ScheduledExecutorService executor;

    public GcScheduler(Ledger ledger, BlockStore store, Duration grace, Duration interval) {
        this.ledger = ledger;
        this.gc = new GarbageCollector(store, id -> ledger.views().isReferenced(id), grace, Clock.systemUTC());
        this.interval = interval;
    }

    /** One pass now; for the admin task and tests. */
    public GarbageCollector.Result runOnce() throws java.io.IOException {
        return gc.runOnce();
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "block-gc"));
        executor.scheduleWithFixedDelay(() -> {
            if (!ledger.referencesTrusted()) {
                return;
            }
            try {
                GarbageCollector.Result r = gc.runOnce();
                if (r.deleted() > 0) {
                    LOG.info("block GC: {} blocks deleted, {} bytes freed", r.deleted(), r.bytesFreed());
                }
            } catch (Exception e) {
                LOG.warn("block GC failed", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
