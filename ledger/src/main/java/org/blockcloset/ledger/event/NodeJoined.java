package org.blockcloset.ledger.event;

import java.util.Set;
import org.blockcloset.ledger.model.NodeAddress;

/**
 * A node joined the cluster (the first node joins the cluster it creates, without a token).
 *
 * @param joinTokenId the token it presented; the fold refuses the event unless that token exists,
 *                    is unused and unexpired at the event's time, and marks it used
 */
public record NodeJoined(String nodeId, int kraftId, NodeAddress address, Set<String> roles, String zone,
                         long capacity, String joinTokenId) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
