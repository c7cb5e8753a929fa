package org.blockcloset.ledger.event;

import org.blockcloset.ledger.layout.Layout;

/**
 * The placement of blocks changed (ADR 0008). The fold refuses a layout whose version is not the
 * current one plus one, so of two nodes that plan from the same layout concurrently, one wins and
 * the other plans again from the winner's.
 */
public record LayoutChanged(Layout layout) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
