package org.blockcloset.storage.care;

import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.ScrubFoundCorruption;
import org.blockcloset.ledger.model.BlockId;
import org.blockcloset.storage.BlockInfo;
import org.blockcloset.storage.BlockNotFoundException;
import org.blockcloset.storage.BlockStore;
import org.blockcloset.storage.CorruptBlockException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads every block on this node's disk in the background and checks its hash (ADR 0011). A
 * copy whose bytes no longer hash to its id is deleted and recorded ({@link ScrubFoundCorruption});
 * the next repair pass copies it again from a healthy replica, as it does for a copy that is missing
 * (a deleted file). Paced so that a full pass takes about BLOCKCLOSET_SCRUB_PERIOD (30 days by
 * default): a few hundred KB/s on a home disk. {@link #scrubNow} runs a pass at once, at the repair
 * bandwidth.
 */
public final class Scrubber implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);
    /** Never slower than this, whatever the period: a pass over a nearly empty disk still moves. */
    private static final long MIN_RATE = 64 << 10;

    private final Ledger ledger;
    private final BlockStore store;
    private final String self;
    private final Duration period;
    private final long fastRate;
    private final Clock clock;
    private final Object wake = new Object();
    private volatile boolean now;
    private volatile boolean running;
    private Thread thread;
    private volatile Map<String, Object> status = Map.of("state", "waiting", "passes", 0L);

    private volatile Runnable onCorruption = () -> { };

    /** Called as soon as a corrupt copy was deleted (before it is recorded). */
    public void onCorruption(Runnable r) {
        this.onCorruption = r;
    }

    public Scrubber(Ledger ledger, BlockStore store, String self, Duration period, long fastRate, Clock clock) {
        this.ledger = ledger;
        this.store = store;
        this.self = self;
        this.period = period;
        this.fastRate = fastRate;
        this.clock = clock;
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::loop, "scrub");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    @Override
    public void stop() throws InterruptedException {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (thread != null) {
            thread.join(5000);
        }
    }

    /** Starts a pass at once, at the repair bandwidth (or speeds up the running one). */
    public void scrubNow() {
        now = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    public Map<String, Object> status() {
        return status;
    }

    private void loop() {
        long passes = 0;
        Instant lastStart = clock.instant();
        // The first pass waits a whole period after start, unless asked for: a restart is no reason to re-read everything.
        while (running) {
            Instant due = lastStart.plus(period);
            synchronized (wake) {
                while (running && !now && clock.instant().isBefore(due)) {
                    try {
                        wake.wait(Math.max(1, Math.min(60_000, Duration.between(clock.instant(), due).toMillis())));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            if (!running) {
                return;
            }
            lastStart = clock.instant();
            passes++;
            try {
                pass(passes);
            } catch (IOException | LedgerUnavailableException | RuntimeException e) {
                LOG.warn("Scrub pass failed: {}", e.toString());
                Map<String, Object> s = new LinkedHashMap<>(status);
                s.put("state", "failed: " + e.getMessage());
                status = s;
            }
        }
    }

    private void pass(long passes) throws IOException, LedgerUnavailableException {
        boolean fast = now;
        now = false;
        Instant started = clock.instant();
        long total = store.used();
        long rate = fast ? fastRate : Math.max(MIN_RATE, (long) (total / Math.max(1.0, period.toSeconds())));
        ByteBuffer buf = ByteBuffer.allocate(store.maxBlockSize());
        List<String> corrupt = new ArrayList<>();
        long checked = 0;
        long bytes = 0;
        long t0 = System.nanoTime();
        List<BlockId> ids = new ArrayList<>();
        try (Stream<BlockInfo> all = store.list()) {
            all.forEach(b -> ids.add(b.id()));
        }
        for (BlockId id : ids) {
            if (!running) {
                return;
            }
            if (now && !fast) { // asked to hurry while a slow pass runs
                fast = true;
                now = false;
                rate = fastRate;
                t0 = System.nanoTime();
                bytes = 0;
            }
            try {
                store.read(id, buf);
                bytes += buf.limit();
            } catch (CorruptBlockException e) {
                if (store.delete(id)) {
                    corrupt.add(id.hex());
                    LOG.warn("Scrub: block {} is corrupt on this disk; deleted, the repair copies it again from a healthy replica", id);
                }
            } catch (BlockNotFoundException gone) {
                // deleted since the listing (garbage collection, a drop)
            }
            checked++;
            if (checked % 64 == 0) {
                status = describe("scrubbing", fast, checked, ids.size(), corrupt.size(), started, null, passes);
            }
            long ahead = t0 + (long) (bytes * 1e9 / rate) - System.nanoTime();
            if (ahead > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(ahead); // pacing, not waiting for anything
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (!corrupt.isEmpty()) {
            try {
                onCorruption.run(); // this node lacks those blocks now: the status must not count them
                ledger.append("system", "scrub", new ScrubFoundCorruption(self, List.copyOf(corrupt)));
            } catch (RejectedException e) {
                LOG.warn("The log refused the scrub's findings: {}", e.rejection());
            }
        }
        LOG.info("Scrub pass {}: {} block(s) checked, {} corrupt", passes, checked, corrupt.size());
        status = describe("waiting", fast, checked, ids.size(), corrupt.size(), started, clock.instant(), passes);
    }

    private static Map<String, Object> describe(String state, boolean fast, long checked, long total, long corrupt,
            Instant started, Instant finished, long passes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state);
        m.put("fast", fast);
        m.put("blocksChecked", checked);
        m.put("blocksTotal", total);
        m.put("corruptFound", corrupt);
        m.put("passStarted", started.toString());
        m.put("passFinished", finished == null ? null : finished.toString());
        m.put("passes", passes);
        return m;
    }
}
