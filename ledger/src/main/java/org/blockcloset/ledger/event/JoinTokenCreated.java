package org.blockcloset.ledger.event;

import java.time.Instant;

/** An admin created a join token; the log keeps only the hash of its secret. */
public record JoinTokenCreated(String tokenId, String secretHash, Instant expires) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
