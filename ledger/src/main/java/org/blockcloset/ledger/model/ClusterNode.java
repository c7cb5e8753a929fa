package org.blockcloset.ledger.model;

import java.time.Instant;
import java.util.Set;

/**
 * A member of the cluster as the membership view holds it.
 *
 * @param kraftId  the node's id in the Kafka (KRaft) cluster
 * @param roles    {@code storage} (lends disk), {@code gateway} (serves S3 and the console), or both
 * @param zone     failure domain label; replicas of a block go to distinct zones where there are enough
 * @param capacity bytes lent to the store (0 for a gateway without disk)
 * @param failed    since when the node has been recorded as failed (down past the repair grace
 *                  period; the layout leaves it out), or null
 * @param recovered when it was last recorded as recovered from such a failure, or null
 * @param draining  since when an admin has had it emptied before removal, or null
 */
public record ClusterNode(String nodeId, int kraftId, NodeAddress address, Set<String> roles, String zone,
                          long capacity, Instant joined, Instant failed, Instant recovered, Instant draining) {
    /** Immutable: the members' store hands the same decoded value to every reader (Json.memoizingSerde). */
    public ClusterNode {
        roles = roles == null ? null : java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(roles));
    }

    public static final String STORAGE = "storage";
    public static final String GATEWAY = "gateway";

    /** Lends disk: has the storage role and a capacity (whether or not it is up). */
    public boolean lends() {
        return roles.contains(STORAGE) && capacity > 0;
    }

    /** Whether the layout places blocks here: it lends, is not recorded as failed, and is not being drained. */
    public boolean placeable() {
        return lends() && failed == null && draining == null;
    }

    public ClusterNode withFailed(Instant since) {
        return new ClusterNode(nodeId, kraftId, address, roles, zone, capacity, joined, since, recovered, draining);
    }

    public ClusterNode withRecovered(Instant at) {
        return new ClusterNode(nodeId, kraftId, address, roles, zone, capacity, joined, null, at, draining);
    }

    public ClusterNode withDraining(Instant since) {
        return new ClusterNode(nodeId, kraftId, address, roles, zone, capacity, joined, failed, recovered, since);
    }

    /** Since when it has been a member in good standing: when it joined, or came back from a failure. */
    public Instant memberSince() {
        return recovered != null && (joined == null || recovered.isAfter(joined)) ? recovered : joined;
    }
}
