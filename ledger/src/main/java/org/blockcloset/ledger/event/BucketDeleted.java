package org.blockcloset.ledger.event;

public record BucketDeleted(String bucket) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
