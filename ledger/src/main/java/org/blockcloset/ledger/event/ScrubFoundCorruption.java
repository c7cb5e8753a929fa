package org.blockcloset.ledger.event;

import java.util.List;

/**
 * A node's scrub re-read these blocks (hex ids) and their bytes no longer hashed to their ids: the
 * copies were deleted, and the repair copies them again from a healthy replica.
 */
public record ScrubFoundCorruption(String nodeId, List<String> blocks) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
