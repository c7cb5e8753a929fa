package org.blockcloset.ledger.event;

import java.util.List;
import java.util.Map;

/**
 * A write was acknowledged with fewer copies than the layout asks for: for each block (hex id), the
 * nodes that were meant to hold it and may not. Appended right after the write's own event; the
 * repair (self-healing issue) makes the missing copies, checking first whether they exist.
 */
public record BlocksUnderReplicated(Map<String, List<String>> missing) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
