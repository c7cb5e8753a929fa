package org.blockcloset.ledger.event;

import java.util.List;

/**
 * A node deleted its copies of these blocks (hex ids) because the layout no longer places them
 * there, after every node that should hold them confirmed a copy. Never the last copy.
 */
public record BlocksDropped(String nodeId, List<String> blocks) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
