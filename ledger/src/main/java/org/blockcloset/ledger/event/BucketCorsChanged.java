package org.blockcloset.ledger.event;

import java.util.List;
import org.blockcloset.ledger.model.Bucket;

/** PutBucketCors (rules) or DeleteBucketCors (null). */
public record BucketCorsChanged(String bucket, List<Bucket.CorsRule> rules) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
