package org.blockcloset.storage.cluster;

import org.blockcloset.storage.cluster.Redundancy;
import org.blockcloset.ledger.cluster.Liveness;
import io.dropwizard.lifecycle.Managed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.event.ClusterHealthChanged;
import org.blockcloset.ledger.model.ClusterNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches what a homelab owner wants to hear about, since nobody watches a dashboard: a node going
 * down (15 s without heartbeats) or coming back, redundancy degraded, restored or unavailable
 * ({@link Redundancy}, watched by the steward), a disk nearly full (under 10 % of its lent space
 * free), a scrub finding corruption. A change counts once seen on two ticks in a row. Every node
 * watches every {@link #PERIOD_MILLIS}; the steward (the first member up by id) tells: a
 * {@link ClusterHealthChanged} event on the log (the audit timeline; the moment redundancy is OK
 * again is one) and the alert webhook. A change seen while another node is steward is kept until
 * that steward has sent a heartbeat more than two periods after the change (it was alive to tell
 * it): if it dies first, the next steward tells it. So a change is told once, by one node; twice
 * if the steward dies within about two periods of telling it.
 */
public final class ClusterWatch implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);
    static final long PERIOD_MILLIS = 2000;
    /** How long a change stays untold-for-sure when no steward is seen alive after it. */
    static final long HANDOVER_MILLIS = 120_000;
    static final double NEARLY_FULL = 0.10;

    record Change(String subject, String state, String message, boolean urgent, long seenAt) {
    }

    private final Ledger ledger;
    private final Liveness liveness;
    private final Redundancy redundancy;
    private final AlertWebhook webhook;
    private final String self;
    private final java.util.function.Supplier<java.util.Optional<String>> steward;
    private final Map<String, String> known = new HashMap<>();
    private final Map<String, String> candidates = new HashMap<>();
    private final Map<String, Long> corruptSeen = new HashMap<>();
    private final List<Change> pending = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-watch");
        t.setDaemon(true);
        return t;
    });

    /** @param steward the member that acts for the cluster now, as {@link Liveness#steward} says */
    public ClusterWatch(Ledger ledger, Liveness liveness, Redundancy redundancy, AlertWebhook webhook, String self,
                        java.util.function.Supplier<java.util.Optional<String>> steward) {
        this.ledger = ledger;
        this.liveness = liveness;
        this.redundancy = redundancy;
        this.webhook = webhook;
        this.self = self;
        this.steward = steward;
    }

    @Override
    public void start() {
        timer.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.debug("cluster watch: {}", e.toString());
            }
        }, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
        webhook.close();
    }

    synchronized void tick() {
        long now = System.currentTimeMillis();
        List<ClusterNode> members = ledger.views().nodes();
        java.util.Optional<String> acting = steward.get();
        boolean me = acting.map(self::equals).orElse(false);
        // The redundancy (a pass over the block references when anything is unsettled) only on the
        // steward, which tells it; a new steward's first look tells a state that is not OK.
        if (members.size() > 1 && me) {
            Redundancy.Report r = redundancy.now();
            if (!known.containsKey("redundancy") && r.state() != Redundancy.State.OK) {
                known.put("redundancy", "OK");
            }
            observe("redundancy", r.state().name(), r.line(), r.state() == Redundancy.State.UNAVAILABLE, now);
        }
        for (ClusterNode n : members) {
            String id = n.nodeId();
            Liveness.Status st = liveness.status(id);
            if (st.last() == null && (st.state() != Liveness.State.DOWN
                    || n.joined().isAfter(java.time.Instant.ofEpochMilli(now).minusSeconds(120)))) {
                continue; // not heard from yet (just started, or just joined): nothing to say about it yet
            }
            if (st.state() == Liveness.State.SUSPECT) {
                continue; // a few seconds without heartbeats: told only once it is down
            }
            boolean up = st.state() == Liveness.State.UP;
            observe("node:" + id, up ? "up" : "down", "Node " + id + " (" + n.address().host() + ") is "
                    + (up ? "up again" : "down since " + st.since()), false, now);
            Liveness.Heartbeat beat = st.last();
            if (beat != null && beat.capacity() > 0) {
                boolean full = beat.free() < beat.capacity() * NEARLY_FULL;
                observe("disk:" + id, full ? "nearly-full" : "ok", full
                        ? "Node " + id + " (" + n.address().host() + ") has " + beat.free() + " of " + beat.capacity()
                                + " lent bytes free; lend more space or add a node"
                        : "Node " + id + " (" + n.address().host() + ") has room again", full, now);
            }
            if (beat != null && beat.scrub() != null) {
                long corrupt = beat.scrub().corruptFound();
                Long before = corruptSeen.put(id, corrupt);
                if (before != null && corrupt > before) {
                    pending.add(new Change("scrub:" + id, "corruption", "The scrub on node " + id + " (" + n.address().host()
                            + ") found " + (corrupt - before) + " corrupt block cop" + (corrupt - before == 1 ? "y" : "ies")
                            + "; they are copied again from healthy replicas. Check the disk (smartctl -a).", true, now));
                }
            }
        }
        // When the steward's heartbeat arrived well after this node saw a change, it was alive to tell
        // it (the time it arrived, on this node's clock: the steward's own clock may differ).
        long stewardAlive = acting.filter(id -> !me).map(liveness::status).filter(st -> st.last() != null)
                .map(st -> st.last().sent() - st.skewMillis()).orElse(0L);
        for (Iterator<Change> it = pending.iterator(); it.hasNext(); ) {
            Change c = it.next();
            if (me) {
                tell(c);
                it.remove();
            } else if (stewardAlive > c.seenAt() + 2 * PERIOD_MILLIS + 1000 || now - c.seenAt() > HANDOVER_MILLIS) {
                it.remove(); // the steward told it
            }
        }
    }

    /**
     * A subject's state as seen now; a change counts once it has been seen on two ticks in a row (a
     * probe that failed once, a heartbeat late once, is not news).
     */
    private void observe(String subject, String state, String message, boolean urgent, long now) {
        String before = known.get(subject);
        if (before == null) {
            known.put(subject, state);
            return;
        }
        if (before.equals(state)) {
            candidates.remove(subject);
            return;
        }
        if (!state.equals(candidates.put(subject, state))) {
            return; // first sight of the new state: wait for the next tick
        }
        candidates.remove(subject);
        known.put(subject, state);
        pending.removeIf(c -> c.subject().equals(subject)); // only the latest state of a subject is told
        pending.add(new Change(subject, state, message, urgent, now));
    }

    private void tell(Change c) {
        LOG.info("Cluster health: {}", c.message());
        try {
            ledger.append("system", "watch", new ClusterHealthChanged(c.subject(), c.state(), c.message()));
        } catch (Exception e) {
            LOG.warn("The change '{}' was not recorded on the log: {}", c.message(), e.toString());
        }
        webhook.send(c.subject(), c.state(), c.message(), c.urgent());
    }
}
