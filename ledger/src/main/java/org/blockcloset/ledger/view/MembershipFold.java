package org.blockcloset.ledger.view;

import java.time.Instant;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.blockcloset.ledger.Rejection;
import org.blockcloset.ledger.event.BlocksUnderReplicated;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.JoinTokenCreated;
import org.blockcloset.ledger.event.LayoutChanged;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.event.NodeCapacityChanged;
import org.blockcloset.ledger.event.NodeJoined;
import org.blockcloset.ledger.event.NodeRemoved;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.JoinToken;

/** The part of the fold that keeps the cluster's membership, layout and join tokens. */
final class MembershipFold {
    private final KeyValueStore<String, ClusterNode> members;
    private final KeyValueStore<String, Layout> layout;
    private final KeyValueStore<String, JoinToken> tokens;
    private final KeyValueStore<String, String[]> underReplicated;

    MembershipFold(KeyValueStore<String, ClusterNode> members, KeyValueStore<String, Layout> layout,
                   KeyValueStore<String, JoinToken> tokens, KeyValueStore<String, String[]> underReplicated) {
        this.members = members;
        this.layout = layout;
        this.tokens = tokens;
        this.underReplicated = underReplicated;
    }

    static boolean handles(Event e) {
        return e instanceof NodeJoined || e instanceof NodeCapacityChanged || e instanceof NodeRemoved
                || e instanceof LayoutChanged || e instanceof JoinTokenCreated || e instanceof BlocksUnderReplicated;
    }

    Rejection apply(LoggedEvent logged) {
        Event e = logged.event();
        Instant at = logged.time();
        if (e instanceof NodeJoined j) {
            return join(j, logged);
        } else if (e instanceof NodeCapacityChanged c) {
            ClusterNode n = members.get(c.nodeId());
            if (n == null) {
                return Rejection.NO_SUCH_NODE;
            }
            members.put(n.nodeId(), new ClusterNode(n.nodeId(), n.kraftId(), c.address() == null ? n.address() : c.address(),
                    n.roles(), c.zone() == null ? n.zone() : c.zone(), c.capacity(), n.joined()));
        } else if (e instanceof NodeRemoved r) {
            if (members.delete(r.nodeId()) == null) {
                return Rejection.NO_SUCH_NODE;
            }
        } else if (e instanceof LayoutChanged c) {
            Layout current = layout.get(StoreNames.CURRENT);
            int expected = (current == null ? 0 : current.version()) + 1;
            if (c.layout() == null || c.layout().version() != expected) {
                return Rejection.STALE_LAYOUT;
            }
            layout.put(StoreNames.CURRENT, c.layout());
        } else if (e instanceof BlocksUnderReplicated u) {
            if (u.missing() == null) {
                return Rejection.INVALID_EVENT;
            }
            u.missing().forEach((block, nodes) -> {
                java.util.Set<String> all = new java.util.TreeSet<>(nodes);
                String[] before = underReplicated.get(block);
                if (before != null) {
                    all.addAll(java.util.List.of(before));
                }
                underReplicated.put(block, all.toArray(String[]::new));
            });
        } else if (e instanceof JoinTokenCreated t) {
            if (t.tokenId() == null || t.sealedSecret() == null || t.expires() == null) {
                return Rejection.INVALID_EVENT;
            }
            tokens.put(t.tokenId(), new JoinToken(t.tokenId(), t.sealedSecret(), t.expires(), logged.actor(), null));
        }
        return null;
    }

    private Rejection join(NodeJoined j, LoggedEvent logged) {
        if (j.nodeId() == null || j.address() == null || j.roles() == null) {
            return Rejection.INVALID_EVENT;
        }
        ClusterNode existing = members.get(j.nodeId());
        if (existing != null) {
            // A retried join of the same node is a no-op; anything else is a clash.
            return existing.kraftId() == j.kraftId() ? null : Rejection.NODE_EXISTS;
        }
        boolean first = true;
        try (KeyValueIterator<String, ClusterNode> it = members.all()) {
            while (it.hasNext()) {
                first = false;
                if (it.next().value.kraftId() == j.kraftId()) {
                    return Rejection.NODE_EXISTS;
                }
            }
        }
        if (j.joinTokenId() == null) {
            if (!first) {
                return Rejection.INVALID_JOIN_TOKEN; // only the node that creates the cluster joins without one
            }
        } else {
            JoinToken t = tokens.get(j.joinTokenId());
            if (t == null || !t.usable(logged.time())) {
                return Rejection.INVALID_JOIN_TOKEN;
            }
            tokens.put(t.tokenId(), new JoinToken(t.tokenId(), t.sealedSecret(), t.expires(), t.createdBy(), j.nodeId()));
        }
        members.put(j.nodeId(), new ClusterNode(j.nodeId(), j.kraftId(), j.address(), j.roles(), j.zone(), j.capacity(),
                logged.time()));
        return null;
    }
}
