package org.blockcloset.ledger.model;

/**
 * What a bucket holds, kept by the fold: its objects and their bytes (current versions), and the
 * bytes of the parts of its multipart uploads not yet completed or aborted (0 in stats made before
 * they were counted), which count against the bucket's byte quota too.
 */
public record BucketStats(long objects, long bytes, long partBytes) {
    public static final BucketStats EMPTY = new BucketStats(0, 0, 0);

    public BucketStats(long objects, long bytes) {
        this(objects, bytes, 0);
    }

    public BucketStats plus(long objectsDelta, long bytesDelta) {
        return new BucketStats(objects + objectsDelta, bytes + bytesDelta, partBytes);
    }

    public BucketStats plusParts(long partBytesDelta) {
        return new BucketStats(objects, bytes, partBytes + partBytesDelta);
    }

    /** Bytes that count against the quota: objects and pending parts. */
    public long quotaBytes() {
        return bytes + partBytes;
    }
}
