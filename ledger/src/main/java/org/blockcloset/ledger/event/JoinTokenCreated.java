package org.blockcloset.ledger.event;

import java.time.Instant;

/** An admin created a join token; the log keeps its secret sealed (ADR 0007). */
public record JoinTokenCreated(String tokenId, String sealedSecret, Instant expires) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
