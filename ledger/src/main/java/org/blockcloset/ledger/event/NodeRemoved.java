package org.blockcloset.ledger.event;

/** A node left the cluster for good. */
public record NodeRemoved(String nodeId) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
