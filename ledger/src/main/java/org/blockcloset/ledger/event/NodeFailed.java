package org.blockcloset.ledger.event;

import java.time.Instant;

/**
 * A node has been down longer than the repair grace period (BLOCKCLOSET_REPAIR_GRACE): the layout
 * stops counting on it, and the blocks it held are copied again from the surviving replicas. It
 * stays a member; {@link NodeRecovered} takes it back when it returns.
 *
 * @param downSince when the node was last heard of, as the member that recorded this saw it
 */
public record NodeFailed(String nodeId, Instant downSince) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
