package org.blockcloset.ledger.event;

import org.blockcloset.ledger.model.Bucket;

/** PutObjectLockConfiguration: the default retention of new versions (null: none). */
public record BucketObjectLockChanged(String bucket, Bucket.DefaultRetention defaultRetention) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
