package org.blockcloset.ledger.event;

/** An admin revoked a join token before its use or expiry: no node joins with it from then on. */
public record JoinTokenRevoked(String tokenId) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
