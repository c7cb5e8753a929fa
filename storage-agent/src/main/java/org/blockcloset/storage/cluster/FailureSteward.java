package org.blockcloset.storage.cluster;

import org.blockcloset.storage.cluster.Membership;
import org.blockcloset.ledger.cluster.Liveness;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.NodeFailed;
import org.blockcloset.ledger.event.NodeRecovered;
import org.blockcloset.ledger.model.ClusterNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a node as failed once it has been down longer than the repair grace period
 * (BLOCKCLOSET_REPAIR_GRACE), and as recovered once it is up again, and re-plans the layout each
 * time (ADR 0011): the layout leaves failed nodes out, so other nodes become the holders of their
 * blocks and copy them. One node acts, the first member by id that this node sees up, so that
 * members do not race each other with layouts; it acts only after its own liveness view has had
 * time to hear from everyone.
 */
public final class FailureSteward implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(FailureSteward.class);
    private static final Duration PERIOD = Duration.ofSeconds(2);

    private final Ledger ledger;
    private final Liveness liveness;
    private final Membership membership;
    private final String self;
    private final Duration grace;
    private final Clock clock;
    private final Instant started;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "failure-steward");
        t.setDaemon(true);
        return t;
    });

    public FailureSteward(Ledger ledger, Liveness liveness, Membership membership, String self, Duration grace, Clock clock) {
        this.ledger = ledger;
        this.liveness = liveness;
        this.membership = membership;
        this.self = self;
        this.grace = grace;
        this.clock = clock;
        this.started = clock.instant();
    }

    @Override
    public void start() {
        timer.scheduleWithFixedDelay(this::runQuietly, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (LedgerUnavailableException | RuntimeException e) {
            LOG.warn("Failure steward: {} (retried in {})", e.toString(), PERIOD);
        }
    }

    void runOnce() throws LedgerUnavailableException {
        Instant now = clock.instant();
        // Until then, a node not heard from yet looks down to this one only because it just started.
        if (now.isBefore(started.plus(Liveness.DOWN).plus(Liveness.SUSPECT))) {
            return;
        }
        List<ClusterNode> nodes = ledger.views().nodes();
        Optional<String> steward = liveness.steward(nodes);
        if (nodes.size() < 2 || steward.isEmpty() || !steward.get().equals(self)) {
            return;
        }
        boolean changed = false;
        for (ClusterNode n : nodes) {
            Liveness.Status st = liveness.status(n.nodeId());
            // A node that joined or came back a moment ago may not have been heard from yet.
            boolean justJoined = n.memberSince() != null && now.isBefore(n.memberSince().plus(Liveness.DOWN).plus(Liveness.SUSPECT));
            try {
                if (n.failed() == null && !justJoined && st.state() == Liveness.State.DOWN
                        && !now.isBefore(st.since().plus(grace))) {
                    ledger.append("system", "failure-steward", new NodeFailed(n.nodeId(), st.since()));
                    LOG.warn("Node {} has been down since {} (grace {}): recorded as failed; its blocks are copied again "
                            + "from the other replicas", n.nodeId(), st.since(), grace);
                    changed = true;
                } else if (n.failed() != null && st.state() == Liveness.State.UP) {
                    ledger.append("system", "failure-steward", new NodeRecovered(n.nodeId()));
                    LOG.info("Node {} is up again: recorded as recovered", n.nodeId());
                    changed = true;
                }
            } catch (RejectedException e) {
                LOG.warn("The log refused a failure record for {}: {}", n.nodeId(), e.rejection());
            }
        }
        if (changed) {
            membership.updateLayout();
        }
    }
}
