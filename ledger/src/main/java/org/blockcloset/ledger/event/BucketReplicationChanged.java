package org.blockcloset.ledger.event;

/** An admin set how many copies of each block a bucket's new writes keep (1 to 3; null: the cluster's default). */
public record BucketReplicationChanged(String bucket, Integer replication) implements Event {
    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
