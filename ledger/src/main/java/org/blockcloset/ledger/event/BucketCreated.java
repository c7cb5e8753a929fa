package org.blockcloset.ledger.event;

import java.time.Instant;

public record BucketCreated(String bucket, Instant created) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
