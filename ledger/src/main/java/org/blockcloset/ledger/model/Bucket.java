package org.blockcloset.ledger.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * A bucket as the views hold it.
 *
 * @param replication  copies of each block of its objects; null: the layout's factor (min(3, nodes)
 *                     unless BLOCKCLOSET_REPLICATION says fewer). Never more than the layout keeps.
 * @param quotaBytes   the most bytes its objects may hold together; null: no limit
 * @param quotaObjects the most objects it may hold; null: no limit
 * @param tags         the bucket's tags, null when it has none
 * @param versioning   {@link #ENABLED} or {@link #SUSPENDED}; null while versioning was never set
 * @param objectLock   true for a bucket created with object lock (versioning enabled for good)
 * @param lockDefault  the default retention of new versions in a locked bucket, null for none
 * @param acl          the canned ACL (private, public-read, public-read-write, authenticated-read);
 *                     null means private
 * @param cors         the CORS rules, null when none
 * @param lifecycle    the lifecycle rules, null when none
 * @param policy       the bucket policy as it was given (ADR 0020), null when none
 * @param publicAccessBlock what public access the bucket refuses or ignores (ADR 0020), null when none set
 * @param ownership    its object ownership control (BucketOwnerEnforced, BucketOwnerPreferred,
 *                     ObjectWriter), null when none set (ACLs apply as ObjectWriter)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Bucket(String name, Instant created, String owner, Integer replication, Long quotaBytes, Long quotaObjects,
                     Map<String, String> tags, String versioning, Boolean objectLock, DefaultRetention lockDefault, String acl,
                     java.util.List<CorsRule> cors, java.util.List<LifecycleRule> lifecycle, String policy,
                     PublicAccessBlock publicAccessBlock, String ownership) {
    public static final String ENABLED = "Enabled";
    public static final String SUSPENDED = "Suspended";

    /** Default retention: a mode and a period in days or in years. */
    public record DefaultRetention(String mode, Integer days, Integer years) {
        public Instant until(Instant from) {
            return days != null ? from.plus(java.time.Duration.ofDays(days))
                    : from.atZone(java.time.ZoneOffset.UTC).plusYears(years == null ? 0 : years).toInstant();
        }
    }

    /** One CORS rule, as S3's CORSRule. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CorsRule(String id, java.util.List<String> allowedOrigins, java.util.List<String> allowedMethods,
                           java.util.List<String> allowedHeaders, java.util.List<String> exposeHeaders, Integer maxAgeSeconds) {
    }

    /**
     * One lifecycle rule, as S3's: a filter (key prefix, tags that must all match) and its actions,
     * each in days of the lifecycle clock (a day is BLOCKCLOSET_LIFECYCLE_DAY, 24 hours unless a test
     * speeds it up).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LifecycleRule(String id, boolean enabled, String prefix, Map<String, String> tags, Integer expirationDays,
                                Instant expirationDate, Boolean expiredObjectDeleteMarker, Integer noncurrentDays,
                                Integer newerNoncurrentVersions, Integer abortIncompleteUploadDays, Long objectSizeGreaterThan,
                                Long objectSizeLessThan, Boolean prefixOutsideFilter) {
        /**
         * @param objectSizeGreaterThan the filter takes objects larger than this many bytes; null: any
         * @param objectSizeLessThan    the filter takes objects smaller than this many bytes; null: any
         * @param prefixOutsideFilter   true when the rule gave its prefix as S3's older form (a Prefix
         *                              beside the rule's actions, no Filter): shown back the same way
         */
        public LifecycleRule(String id, boolean enabled, String prefix, Map<String, String> tags, Integer expirationDays,
                             Instant expirationDate, Boolean expiredObjectDeleteMarker, Integer noncurrentDays,
                             Integer newerNoncurrentVersions, Integer abortIncompleteUploadDays) {
            this(id, enabled, prefix, tags, expirationDays, expirationDate, expiredObjectDeleteMarker, noncurrentDays,
                    newerNoncurrentVersions, abortIncompleteUploadDays, null, null, null);
        }

        /** Whether the rule's filter takes this key with these tags (sizes not considered: a delete marker has none). */
        public boolean matches(String key, Map<String, String> objectTags) {
            return matches(key, objectTags, -1);
        }

        /** Whether the rule's filter takes this key with these tags and {@code size} bytes (-1: no size, a delete marker's). */
        public boolean matches(String key, Map<String, String> objectTags, long size) {
            if (size >= 0 && ((objectSizeGreaterThan != null && size <= objectSizeGreaterThan)
                    || (objectSizeLessThan != null && size >= objectSizeLessThan))) {
                return false;
            }
            if (prefix != null && !key.startsWith(prefix)) {
                return false;
            }
            if (tags != null && !tags.isEmpty()) {
                return objectTags != null && objectTags.entrySet().containsAll(tags.entrySet());
            }
            return true;
        }
    }

    public Bucket(String name, Instant created, String owner, Integer replication, Long quotaBytes, Long quotaObjects,
                  Map<String, String> tags) {
        this(name, created, owner, replication, quotaBytes, quotaObjects, tags, null, null, null, null, null, null, null, null, null);
    }

    public Bucket(String name, Instant created, String owner, Integer replication, Long quotaBytes, Long quotaObjects,
                  Map<String, String> tags, String versioning, Boolean objectLock, DefaultRetention lockDefault, String acl,
                  java.util.List<CorsRule> cors) {
        this(name, created, owner, replication, quotaBytes, quotaObjects, tags, versioning, objectLock, lockDefault, acl, cors, null, null, null, null);
    }

    public Bucket withPublicAccessBlock(PublicAccessBlock block) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects, tags, versioning, objectLock, lockDefault, acl,
                cors, lifecycle, policy, block, ownership);
    }

    public Bucket withOwnership(String o) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects, tags, versioning, objectLock, lockDefault, acl,
                cors, lifecycle, policy, publicAccessBlock, o);
    }

    /** S3's object ownership that disables ACLs: the bucket's owner owns every object, and ACLs are refused. */
    public static final String OWNER_ENFORCED = "BucketOwnerEnforced";
    public static final java.util.Set<String> OWNERSHIPS = java.util.Set.of(OWNER_ENFORCED, "BucketOwnerPreferred", "ObjectWriter");

    /** Whether ACLs are disabled (BucketOwnerEnforced): they neither grant nor may be set. */
    @JsonIgnore
    public boolean aclsDisabled() {
        return OWNER_ENFORCED.equals(ownership);
    }

    /** Whether public ACLs are ignored in access decisions (IgnorePublicAcls, or ACLs disabled). */
    @JsonIgnore
    public boolean publicAclsIgnored() {
        return aclsDisabled() || (publicAccessBlock != null && publicAccessBlock.ignorePublicAcls());
    }

    /** S3's PublicAccessBlockConfiguration: each flag false when not given. */
    public record PublicAccessBlock(boolean blockPublicAcls, boolean ignorePublicAcls, boolean blockPublicPolicy,
                                    boolean restrictPublicBuckets) {
    }

    public Bucket withPolicy(String p) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects, tags, versioning, objectLock, lockDefault, acl,
                cors, lifecycle, p, publicAccessBlock, ownership);
    }

    public Bucket withLifecycle(java.util.List<LifecycleRule> rules) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects, tags, versioning, objectLock, lockDefault, acl,
                cors, rules == null || rules.isEmpty() ? null : java.util.List.copyOf(rules), policy, publicAccessBlock, ownership);
    }

    public Bucket(String name, Instant created, String owner, Integer replication, Long quotaBytes, Long quotaObjects) {
        this(name, created, owner, replication, quotaBytes, quotaObjects, null);
    }

    public Bucket(String name, Instant created, String owner) {
        this(name, created, owner, null, null, null, null);
    }

    public Bucket(String name, Instant created, String owner, Integer replication) {
        this(name, created, owner, replication, null, null, null);
    }

    public Bucket withTags(Map<String, String> newTags) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects,
                newTags == null || newTags.isEmpty() ? null : new java.util.TreeMap<>(newTags), versioning, objectLock, lockDefault,
                acl, cors, lifecycle, policy, publicAccessBlock, ownership);
    }

    public Bucket withReplication(Integer r) {
        return new Bucket(name, created, owner, r, quotaBytes, quotaObjects, tags, versioning, objectLock, lockDefault, acl, cors, lifecycle, policy, publicAccessBlock, ownership);
    }

    public Bucket withQuota(Long bytes, Long objects) {
        return new Bucket(name, created, owner, replication, bytes, objects, tags, versioning, objectLock, lockDefault, acl, cors, lifecycle, policy, publicAccessBlock, ownership);
    }

    public Bucket withVersioning(String status) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects, tags, status, objectLock, lockDefault, acl, cors, lifecycle, policy, publicAccessBlock, ownership);
    }

    public Bucket withLockDefault(DefaultRetention d) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects, tags, versioning, objectLock, d, acl, cors, lifecycle, policy, publicAccessBlock, ownership);
    }

    public Bucket withAcl(String a) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects, tags, versioning, objectLock, lockDefault,
                a == null || a.equals("private") ? null : a, cors, lifecycle, policy, publicAccessBlock, ownership);
    }

    public Bucket withCors(java.util.List<CorsRule> rules) {
        return new Bucket(name, created, owner, replication, quotaBytes, quotaObjects, tags, versioning, objectLock, lockDefault, acl,
                rules == null || rules.isEmpty() ? null : java.util.List.copyOf(rules), lifecycle, policy, publicAccessBlock, ownership);
    }

    /** Versioning was enabled or suspended at some time: every version of every key is in the versions store. */
    @JsonIgnore
    public boolean versioned() {
        return versioning != null;
    }

    @JsonIgnore
    public boolean versioningEnabled() {
        return ENABLED.equals(versioning);
    }

    @JsonIgnore
    public boolean locked() {
        return Boolean.TRUE.equals(objectLock);
    }
}
