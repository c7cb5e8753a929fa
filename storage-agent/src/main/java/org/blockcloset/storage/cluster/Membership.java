package org.blockcloset.storage.cluster;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.LayoutChanged;
import org.blockcloset.ledger.event.NodeCapacityChanged;
import org.blockcloset.ledger.event.NodeJoined;
import org.blockcloset.ledger.event.NodeRecovered;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.layout.LayoutPlanner;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.NodeAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's place in the cluster: it records itself on the log (the first node creates the
 * cluster by joining it without a token), records what its owner changed since (capacity, zone,
 * address), and keeps the layout in step with the membership (ADR 0008).
 */
public final class Membership {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);
    private static final int PLAN_ATTEMPTS = 5;

    /** What this node is, from its settings. */
    public record Self(String nodeId, int kraftId, NodeAddress address, Set<String> roles, String zone, long capacity) {
        long lent() {
            return roles.contains(ClusterNode.STORAGE) ? capacity : 0;
        }
    }

    private final Ledger ledger;
    private final Self self;
    private final int replication;

    /** @param replication the most copies of a block the layout keeps; fewer while fewer nodes lend */
    public Membership(Ledger ledger, Self self, int replication) {
        this.ledger = ledger;
        this.self = self;
        this.replication = replication;
    }

    /** {@link #register(boolean)} with the settings' capacity and zone taken as changed. */
    public void register() throws LedgerUnavailableException {
        register(true);
    }

    /**
     * Records this node (creating the cluster if the log has no member yet) and brings the layout up
     * to date.
     *
     * @param settingsChanged whether the owner changed BLOCKCLOSET_CAPACITY or BLOCKCLOSET_ZONE since
     *                        the last start: then they are recorded; if not, what the log holds stands
     *                        (a change made through the admin API or the console outlives a restart)
     */
    public void register(boolean settingsChanged) throws LedgerUnavailableException {
        Optional<ClusterNode> known = ledger.views().node(self.nodeId());
        try {
            if (known.isEmpty()) {
                if (!ledger.views().nodes().isEmpty()) {
                    throw new IllegalStateException("the log already has members but not this node (" + self.nodeId()
                            + "); a node joins an existing cluster with BLOCKCLOSET_JOIN and a join token");
                }
                ledger.append("system", "membership", new NodeJoined(self.nodeId(), self.kraftId(), self.address(),
                        self.roles(), self.zone(), self.lent(), null));
                LOG.info("Created the cluster with this node ({}) as its first member", self.nodeId());
            } else {
                ClusterNode n = known.get();
                if (n.failed() != null) {
                    ledger.append("system", "membership", new NodeRecovered(self.nodeId()));
                    LOG.info("This node was recorded as failed since {}; it is back", n.failed());
                }
                long capacity = settingsChanged ? self.lent() : n.capacity();
                String zone = settingsChanged ? self.zone() : n.zone();
                if (n.capacity() != capacity || !Objects.equals(n.zone(), zone) || !n.address().equals(self.address())) {
                    ledger.append("system", "membership", new NodeCapacityChanged(self.nodeId(), capacity, zone, self.address()));
                    LOG.info("Recorded this node's new capacity {} / zone '{}' / address {}", capacity, zone, self.address());
                }
            }
        } catch (RejectedException e) {
            throw new IllegalStateException("the log refused this node's membership: " + e.rejection(), e);
        }
        updateLayout();
    }

    /** What a capacity or zone change of a node would do, before it is made. */
    public record Preview(String nodeId, long capacity, String zone, Layout current, Layout next, int partitionCopiesMoved,
                          long bytesMoved) {
    }

    /**
     * The layout the cluster would get if {@code nodeId} lent {@code capacity} bytes in {@code zone},
     * and what would move: partition copies, and bytes estimated from what the nodes hold now
     * (each partition copy holds about the same share).
     */
    public Preview preview(String nodeId, long capacity, String zone, long storedBytes) {
        Layout current = ledger.views().layout();
        List<LayoutPlanner.Member> lending = ledger.views().nodes().stream()
                .map(n -> n.nodeId().equals(nodeId) ? new ClusterNode(n.nodeId(), n.kraftId(), n.address(), n.roles(), zone,
                        n.roles().contains(ClusterNode.STORAGE) ? capacity : 0, n.joined(), n.failed(), n.recovered(), n.draining()) : n)
                .filter(ClusterNode::placeable)
                .map(n -> new LayoutPlanner.Member(n.nodeId(), n.zone(), n.capacity())).toList();
        Layout next = LayoutPlanner.plan(lending, replication, current);
        int moves = current.moves(next);
        long copies = (long) Math.max(1, current.partitions().size()) * Math.max(1, current.replication());
        return new Preview(nodeId, capacity, zone, current, next, moves, storedBytes * moves / copies);
    }

    /** Records a node's new capacity and zone (admin API, console) and plans the layout that follows. */
    public Layout changeCapacity(String actor, String nodeId, long capacity, String zone)
            throws LedgerUnavailableException, RejectedException {
        ClusterNode n = ledger.views().node(nodeId).orElseThrow(() -> new RejectedException(Rejection.NO_SUCH_NODE));
        long lent = n.roles().contains(ClusterNode.STORAGE) ? capacity : 0;
        if (n.capacity() != lent || !Objects.equals(n.zone(), zone)) {
            ledger.append(actor, "capacity", new NodeCapacityChanged(nodeId, lent, zone, n.address()));
        }
        return updateLayout();
    }

    /** Plans a layout from the current membership and records it if it differs from the current one. */
    public Layout updateLayout() throws LedgerUnavailableException {
        for (int attempt = 1; ; attempt++) {
            Layout current = ledger.views().layout();
            // Nodes recorded as failed are left out: their partitions go to the others (ADR 0011).
            List<LayoutPlanner.Member> lending = ledger.views().nodes().stream().filter(ClusterNode::placeable)
                    .map(n -> new LayoutPlanner.Member(n.nodeId(), n.zone(), n.capacity())).toList();
            Layout next = LayoutPlanner.plan(lending, replication, current);
            if (next.replication() == current.replication() && next.partitionSize() == current.partitionSize()
                    && next.partitions().equals(current.partitions())) {
                return current;
            }
            try {
                ledger.append("system", "membership", new LayoutChanged(next));
                LOG.info("Layout v{}: {} node(s), {} copies, {} bytes usable, {} partition replicas moved",
                        next.version(), next.counts().size(), next.replication(), next.usableBytes(), current.moves(next));
                return next;
            } catch (RejectedException e) {
                if (e.rejection() != Rejection.STALE_LAYOUT || attempt == PLAN_ATTEMPTS) {
                    throw new IllegalStateException("the log refused the layout: " + e.rejection(), e);
                }
            }
        }
    }
}
