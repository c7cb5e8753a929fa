package org.blockcloset.ledger.event;

public record ObjectDeleted(String bucket, String key) implements Event {
    @Override
    public String entityKey() {
        return Keys.object(bucket, key);
    }
}
