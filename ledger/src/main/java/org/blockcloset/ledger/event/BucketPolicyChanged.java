package org.blockcloset.ledger.event;

/** PutBucketPolicy (the policy as given, checked by the gateway first) or DeleteBucketPolicy (null). */
public record BucketPolicyChanged(String bucket, String policy) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
