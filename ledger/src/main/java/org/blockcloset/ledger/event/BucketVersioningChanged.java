package org.blockcloset.ledger.event;

/** PutBucketVersioning: {@code status} is Enabled or Suspended. */
public record BucketVersioningChanged(String bucket, String status) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
