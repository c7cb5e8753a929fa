package org.blockcloset.ledger.event;

import org.blockcloset.ledger.model.NodeAddress;

/** A node's owner changed what it lends, its zone, or it moved to another address (on restart). */
public record NodeCapacityChanged(String nodeId, long capacity, String zone, NodeAddress address) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
