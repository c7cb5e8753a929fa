package org.blockcloset.ledger.event;

import org.blockcloset.ledger.model.Bucket;

/** PutPublicAccessBlock (the four flags) or DeletePublicAccessBlock (null). */
public record BucketPublicAccessBlockChanged(String bucket, Bucket.PublicAccessBlock block) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
