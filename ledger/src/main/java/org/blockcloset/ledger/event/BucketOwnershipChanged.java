package org.blockcloset.ledger.event;

/** PutBucketOwnershipControls (BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter) or DeleteBucketOwnershipControls (null). */
public record BucketOwnershipChanged(String bucket, String ownership) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
