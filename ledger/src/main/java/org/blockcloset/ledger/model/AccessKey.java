package org.blockcloset.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An access key as the views hold it. Revoked keys stay, marked, for the audit trail.
 *
 * @param sealedSecret the secret sealed with the cluster's key (see {@code AccessKeyCreated})
 * @param secretKey    the secret in clear, only for keys created before secrets were sealed
 * @param buckets      null: the key reaches every bucket as its owner (admin keys, and keys made
 *                     before keys started with no bucket); else bucket name → "read", "write" or
 *                     "owner", and no other bucket, or {@link #EVERY_BUCKET} → "read" or "write" for
 *                     every bucket not named
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccessKey(String accessKeyId, String sealedSecret, String description, boolean admin,
                        Instant created, Instant revoked, String secretKey, java.util.Map<String, String> buckets) {
    /** What a key may do in a bucket; each level includes the ones before it. */
    public enum Permission { READ, WRITE, OWNER }

    /** The entry of {@link #buckets} that stands for every bucket not named (no bucket is called "*"). */
    public static final String EVERY_BUCKET = "*";

    public AccessKey(String accessKeyId, String sealedSecret, String description, boolean admin, Instant created,
                     Instant revoked, String secretKey) {
        this(accessKeyId, sealedSecret, description, admin, created, revoked, secretKey, null);
    }

    /**
     * What is wrong with a key's bucket map, or null: each level is read, write or owner, and
     * {@link #EVERY_BUCKET} takes read or write only, in any case (as {@link #may} reads them). The
     * fold and the gateway both ask this.
     */
    public static String bucketsProblem(java.util.Map<String, String> buckets) {
        if (buckets == null) {
            return null;
        }
        for (java.util.Map.Entry<String, String> e : buckets.entrySet()) {
            String level = String.valueOf(e.getValue()).toLowerCase(java.util.Locale.ROOT);
            if (!java.util.List.of("read", "write", "owner").contains(level)) {
                return "a bucket's permission is read, write or owner";
            }
            if (EVERY_BUCKET.equals(e.getKey()) && level.equals("owner")) {
                return "every bucket (\"*\") takes read or write; a key owns only the buckets named for it";
            }
        }
        return null;
    }

    public boolean active() {
        return revoked == null;
    }

    /** Whether the key may do what {@code needed} asks in {@code bucket}. Admin keys may do anything. */
    public boolean may(Permission needed, String bucket) {
        if (admin || buckets == null) {
            return true;
        }
        String granted = bucket == null ? null : buckets.getOrDefault(bucket, buckets.get(EVERY_BUCKET));
        return granted != null && Permission.valueOf(granted.toUpperCase(java.util.Locale.ROOT)).compareTo(needed) >= 0;
    }

    /** True when the key reaches only the buckets it was given. */
    public boolean limited() {
        return !admin && buckets != null;
    }

    public AccessKey withBuckets(java.util.Map<String, String> b) {
        return new AccessKey(accessKeyId, sealedSecret, description, admin, created, revoked, secretKey, b);
    }

    public AccessKey withRevoked(Instant at) {
        return new AccessKey(accessKeyId, sealedSecret, description, admin, created, at, secretKey, buckets);
    }
}
