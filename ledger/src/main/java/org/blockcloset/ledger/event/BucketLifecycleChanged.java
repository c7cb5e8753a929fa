package org.blockcloset.ledger.event;

import java.util.List;
import org.blockcloset.ledger.model.Bucket;

/** PutBucketLifecycleConfiguration (rules) or DeleteBucketLifecycle (null). */
public record BucketLifecycleChanged(String bucket, List<Bucket.LifecycleRule> rules) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
