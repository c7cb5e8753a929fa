package org.blockcloset.ledger.view;

import java.time.Instant;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.event.BlocksDropped;
import org.blockcloset.ledger.event.BlocksReplicated;
import org.blockcloset.ledger.event.BlocksUnderReplicated;
import org.blockcloset.ledger.event.ConsolePasswordChanged;
import org.blockcloset.ledger.event.ConsoleSetUp;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.JoinTokenCreated;
import org.blockcloset.ledger.event.LayoutChanged;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.event.NodeCapacityChanged;
import org.blockcloset.ledger.event.NodeDraining;
import org.blockcloset.ledger.event.NodeFailed;
import org.blockcloset.ledger.event.NodeJoined;
import org.blockcloset.ledger.event.NodeRecovered;
import org.blockcloset.ledger.event.NodeRemoved;
import org.blockcloset.ledger.event.ScrubFoundCorruption;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.ConsoleSettings;
import org.blockcloset.ledger.model.JoinToken;

/** The part of the fold that keeps the cluster's membership, layout and join tokens. */
final class MembershipFold {
    private final KeyValueStore<String, ClusterNode> members;
    private final KeyValueStore<String, Layout> layout;
    private final KeyValueStore<String, JoinToken> tokens;
    private final KeyValueStore<String, String[]> underReplicated;
    private final KeyValueStore<String, ConsoleSettings> console;

    MembershipFold(KeyValueStore<String, ClusterNode> members, KeyValueStore<String, Layout> layout,
                   KeyValueStore<String, JoinToken> tokens, KeyValueStore<String, String[]> underReplicated,
                   KeyValueStore<String, ConsoleSettings> console) {
        this.members = members;
        this.layout = layout;
        this.tokens = tokens;
        this.underReplicated = underReplicated;
        this.console = console;
    }

    static boolean handles(Event e) {
        return e instanceof NodeJoined || e instanceof NodeCapacityChanged || e instanceof NodeRemoved
                || e instanceof LayoutChanged || e instanceof JoinTokenCreated || e instanceof BlocksUnderReplicated
                || e instanceof org.blockcloset.ledger.event.JoinTokenRevoked
                || e instanceof NodeFailed || e instanceof NodeRecovered || e instanceof BlocksReplicated
                || e instanceof BlocksDropped || e instanceof ScrubFoundCorruption || e instanceof NodeDraining
                || e instanceof org.blockcloset.ledger.event.ClusterHealthChanged
                || e instanceof ConsoleSetUp || e instanceof ConsolePasswordChanged;
    }

    /** @param expiryTime the later of the envelope's time and the log's: a join token has expired once either clock says so (ADR 0004) */
    Rejection apply(LoggedEvent logged, Instant expiryTime) {
        Event e = logged.event();
        Instant at = logged.time();
        if (e instanceof NodeJoined j) {
            return join(j, logged, expiryTime);
        } else if (e instanceof ConsoleSetUp s) {
            if (console.get(StoreNames.CURRENT) != null) {
                return Rejection.ALREADY_SET_UP;
            }
            console.put(StoreNames.CURRENT, new ConsoleSettings(s.clusterName(), s.adminUser(), s.passwordHash(), at));
        } else if (e instanceof ConsolePasswordChanged p) {
            ConsoleSettings c = console.get(StoreNames.CURRENT);
            if (c == null || !c.adminUser().equals(p.adminUser())) {
                return Rejection.NOT_SET_UP;
            }
            console.put(StoreNames.CURRENT, new ConsoleSettings(c.clusterName(), c.adminUser(), p.passwordHash(), c.setUp()));
        } else if (e instanceof NodeCapacityChanged c) {
            ClusterNode n = members.get(c.nodeId());
            if (n == null) {
                return Rejection.NO_SUCH_NODE;
            }
            members.put(n.nodeId(), new ClusterNode(n.nodeId(), n.kraftId(), c.address() == null ? n.address() : c.address(),
                    n.roles(), c.zone() == null ? n.zone() : c.zone(), c.capacity(), n.joined(), n.failed(), n.recovered(), n.draining()));
        } else if (e instanceof NodeRemoved r) {
            if (members.delete(r.nodeId()) == null) {
                return Rejection.NO_SUCH_NODE;
            }
            forgetUnderReplicated(r.nodeId());
        } else if (e instanceof NodeFailed f) {
            ClusterNode n = members.get(f.nodeId());
            if (n == null) {
                return Rejection.NO_SUCH_NODE;
            }
            if (n.failed() == null) {
                members.put(n.nodeId(), n.withFailed(f.downSince() == null ? at : f.downSince()));
                // Its missing copies are no longer its to make: the repair makes them on the new holders.
                forgetUnderReplicated(n.nodeId());
            }
        } else if (e instanceof NodeRecovered r) {
            ClusterNode n = members.get(r.nodeId());
            if (n == null) {
                return Rejection.NO_SUCH_NODE;
            }
            if (n.failed() != null) {
                members.put(n.nodeId(), n.withRecovered(at));
            }
        } else if (e instanceof BlocksReplicated r) {
            if (r.nodeId() == null || r.blocks() == null) {
                return Rejection.INVALID_EVENT;
            }
            for (String block : r.blocks()) {
                String[] before = underReplicated.get(block);
                if (before != null) {
                    String[] after = java.util.Arrays.stream(before).filter(n -> !n.equals(r.nodeId())).toArray(String[]::new);
                    if (after.length == 0) {
                        underReplicated.delete(block);
                    } else if (after.length != before.length) {
                        underReplicated.put(block, after);
                    }
                }
            }
        } else if (e instanceof NodeDraining d) {
            ClusterNode n = members.get(d.nodeId());
            if (n == null) {
                return Rejection.NO_SUCH_NODE;
            }
            if (n.draining() == null) {
                members.put(n.nodeId(), n.withDraining(at));
            }
        } else if (e instanceof ScrubFoundCorruption f) {
            if (f.nodeId() == null || f.blocks() == null) {
                return Rejection.INVALID_EVENT;
            }
        } else if (e instanceof org.blockcloset.ledger.event.ClusterHealthChanged h) {
            if (h.subject() == null || h.state() == null) {
                return Rejection.INVALID_EVENT;
            } // the audit timeline's: no view keeps it
        } else if (e instanceof BlocksDropped d) {
            if (d.nodeId() == null || d.blocks() == null) {
                return Rejection.INVALID_EVENT;
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
        } else if (e instanceof org.blockcloset.ledger.event.JoinTokenRevoked r) {
            JoinToken t = r.tokenId() == null ? null : tokens.get(r.tokenId());
            if (t == null) {
                return Rejection.INVALID_JOIN_TOKEN;
            }
            if (t.revoked() == null) {
                tokens.put(t.tokenId(), t.withRevoked(at));
            }
        }
        return null;
    }

    private Rejection join(NodeJoined j, LoggedEvent logged, Instant expiryTime) {
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
            if (t == null || !t.usable(expiryTime)) {
                return Rejection.INVALID_JOIN_TOKEN;
            }
            tokens.put(t.tokenId(), new JoinToken(t.tokenId(), t.sealedSecret(), t.expires(), t.createdBy(), j.nodeId()));
        }
        members.put(j.nodeId(), new ClusterNode(j.nodeId(), j.kraftId(), j.address(), j.roles(), j.zone(), j.capacity(),
                logged.time(), null, null, null));
        return null;
    }

    /** Drops a node from every under-replicated record (it failed or left: its copies are made elsewhere). */
    private void forgetUnderReplicated(String nodeId) {
        java.util.Map<String, String[]> changed = new java.util.HashMap<>();
        try (KeyValueIterator<String, String[]> it = underReplicated.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (java.util.Arrays.asList(kv.value).contains(nodeId)) {
                    changed.put(kv.key, java.util.Arrays.stream(kv.value).filter(n -> !n.equals(nodeId)).toArray(String[]::new));
                }
            }
        }
        changed.forEach((block, nodes) -> {
            if (nodes.length == 0) {
                underReplicated.delete(block);
            } else {
                underReplicated.put(block, nodes);
            }
        });
    }
}
