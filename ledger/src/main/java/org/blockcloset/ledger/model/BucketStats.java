package org.blockcloset.ledger.model;

/** What a bucket holds: its objects and their bytes (current versions), kept by the fold. */
public record BucketStats(long objects, long bytes) {
    public static final BucketStats EMPTY = new BucketStats(0, 0);

    public BucketStats plus(long objectsDelta, long bytesDelta) {
        return new BucketStats(objects + objectsDelta, bytes + bytesDelta);
    }
}
