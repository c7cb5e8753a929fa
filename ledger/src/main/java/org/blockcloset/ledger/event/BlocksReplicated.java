package org.blockcloset.ledger.event;

import java.util.List;

/**
 * A node now holds durable, verified copies of these blocks (hex ids): copies it made from another
 * replica, or copies it confirmed it already had. Clears them from the under-replicated record for
 * that node.
 *
 * @param reason {@code repair} (a copy that was missing), {@code rebalance} (the layout moved the
 *               block here), or {@code confirmed} (the copy was there already)
 */
public record BlocksReplicated(String nodeId, List<String> blocks, String reason) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
