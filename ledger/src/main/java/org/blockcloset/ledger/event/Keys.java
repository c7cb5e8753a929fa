package org.blockcloset.ledger.event;

/**
 * Record and store keys. Object keys are {@code bucket + "/" + key}: bucket names never hold '/',
 * so the form is unambiguous, and the UTF-8 bytes of it sort in S3's listing order inside a bucket.
 */
public final class Keys {
    /** Membership and layout events share one record key: they apply in one order everywhere. */
    public static final String CLUSTER = "cluster";

    private Keys() {
    }

    public static String bucket(String bucket) {
        return "b:" + bucket;
    }

    public static String accessKey(String id) {
        return "k:" + id;
    }

    public static String object(String bucket, String key) {
        return bucket + "/" + key;
    }

    /** Uploads sort by object key, then upload id; '\u0000' cannot appear in an S3 key's listing order before any char. */
    public static String upload(String bucket, String key, String uploadId) {
        return object(bucket, key) + '\u0000' + uploadId;
    }

    public static String part(String uploadId, int partNumber) {
        return uploadId + '/' + String.format("%05d", partNumber);
    }
}
