package org.blockcloset.ledger.event;

/** A node recorded as failed ({@link NodeFailed}) is back: the layout counts on it again. */
public record NodeRecovered(String nodeId) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
