package org.blockcloset.ledger.event;

import java.util.Map;

/** A client set (or, with null, removed) a bucket's tags. */
public record BucketTagsChanged(String bucket, Map<String, String> tags) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
