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
 */
public record ClusterNode(String nodeId, int kraftId, NodeAddress address, Set<String> roles, String zone,
                          long capacity, Instant joined) {
    public static final String STORAGE = "storage";
    public static final String GATEWAY = "gateway";

    public boolean lends() {
        return roles.contains(STORAGE) && capacity > 0;
    }
}
