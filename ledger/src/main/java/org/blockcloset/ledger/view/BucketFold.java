package org.blockcloset.ledger.view;

import org.apache.kafka.streams.state.KeyValueStore;
import org.blockcloset.ledger.event.BucketCreated;
import org.blockcloset.ledger.event.BucketReplicationChanged;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.Rejection;

/**
 * The fold of a bucket's own settings (its creation, versioning, object lock defaults, ACL, CORS,
 * lifecycle, copies, tags, quota) into the buckets store. Deleting a bucket is the object fold's:
 * it depends on what the bucket holds.
 */
final class BucketFold {
    private final KeyValueStore<String, Bucket> buckets;
    /** Versioning set for the first time: the objects become their keys' null versions (the object fold). */
    private final java.util.function.Consumer<String> adoptNullVersions;

    BucketFold(KeyValueStore<String, Bucket> buckets, java.util.function.Consumer<String> adoptNullVersions) {
        this.buckets = buckets;
        this.adoptNullVersions = adoptNullVersions;
    }

    static boolean handles(Event e) {
        return e instanceof BucketCreated || e instanceof org.blockcloset.ledger.event.BucketVersioningChanged
                || e instanceof org.blockcloset.ledger.event.BucketObjectLockChanged || e instanceof org.blockcloset.ledger.event.BucketAclChanged
                || e instanceof org.blockcloset.ledger.event.BucketCorsChanged || e instanceof org.blockcloset.ledger.event.BucketLifecycleChanged
                || e instanceof BucketReplicationChanged || e instanceof org.blockcloset.ledger.event.BucketTagsChanged
                || e instanceof org.blockcloset.ledger.event.BucketQuotaChanged || e instanceof org.blockcloset.ledger.event.BucketPolicyChanged
                || e instanceof org.blockcloset.ledger.event.BucketPublicAccessBlockChanged
                || e instanceof org.blockcloset.ledger.event.BucketOwnershipChanged;
    }

    Rejection apply(LoggedEvent logged) {
        Event e = logged.event();
        if (e instanceof BucketCreated c) {
            if (buckets.get(c.bucket()) != null) {
                return Rejection.BUCKET_EXISTS;
            }
            Bucket b = new Bucket(c.bucket(), c.created(), logged.actor()).withAcl(c.acl());
            if (Boolean.TRUE.equals(c.objectLock())) {
                b = new Bucket(b.name(), b.created(), b.owner(), null, null, null, null, Bucket.ENABLED, true, null, b.acl(), null);
            }
            buckets.put(c.bucket(), b);
        } else if (e instanceof org.blockcloset.ledger.event.BucketVersioningChanged v) {
            return changeBucket(v.bucket(), b -> {
                if (!Bucket.ENABLED.equals(v.status()) && !Bucket.SUSPENDED.equals(v.status())) {
                    throw new Refused(Rejection.INVALID_EVENT);
                }
                if (b.locked() && !Bucket.ENABLED.equals(v.status())) {
                    throw new Refused(Rejection.INVALID_BUCKET_STATE);
                }
                if (!b.versioned()) {
                    adoptNullVersions.accept(b.name());
                }
                return b.withVersioning(v.status());
            });
        } else if (e instanceof org.blockcloset.ledger.event.BucketObjectLockChanged l) {
            return changeBucket(l.bucket(), b -> {
                if (!b.locked()) {
                    throw new Refused(Rejection.INVALID_BUCKET_STATE);
                }
                return b.withLockDefault(l.defaultRetention());
            });
        } else if (e instanceof org.blockcloset.ledger.event.BucketAclChanged a) {
            return changeBucket(a.bucket(), b -> b.withAcl(a.acl()));
        } else if (e instanceof org.blockcloset.ledger.event.BucketCorsChanged c) {
            return changeBucket(c.bucket(), b -> b.withCors(c.rules()));
        } else if (e instanceof org.blockcloset.ledger.event.BucketPolicyChanged p) {
            return changeBucket(p.bucket(), b -> {
                if (p.policy() != null && !org.blockcloset.ledger.model.BucketPolicy.wellFormed(p.policy())) {
                    throw new Refused(Rejection.INVALID_EVENT); // the gateway checked it: a forged or broken event
                }
                return b.withPolicy(p.policy());
            });
        } else if (e instanceof org.blockcloset.ledger.event.BucketPublicAccessBlockChanged pab) {
            return changeBucket(pab.bucket(), b -> b.withPublicAccessBlock(pab.block()));
        } else if (e instanceof org.blockcloset.ledger.event.BucketOwnershipChanged o) {
            return changeBucket(o.bucket(), b -> {
                if (o.ownership() != null && !Bucket.OWNERSHIPS.contains(o.ownership())) {
                    throw new Refused(Rejection.INVALID_EVENT);
                }
                return b.withOwnership(o.ownership());
            });
        } else if (e instanceof org.blockcloset.ledger.event.BucketLifecycleChanged l) {
            return changeBucket(l.bucket(), b -> b.withLifecycle(l.rules()));
        } else if (e instanceof BucketReplicationChanged r) {
            return changeBucket(r.bucket(), b -> {
                if (r.replication() != null && (r.replication() < 1 || r.replication() > 3)) {
                    throw new Refused(Rejection.INVALID_EVENT);
                }
                return b.withReplication(r.replication());
            });
        } else if (e instanceof org.blockcloset.ledger.event.BucketTagsChanged t) {
            return changeBucket(t.bucket(), b -> b.withTags(t.tags()));
        } else if (e instanceof org.blockcloset.ledger.event.BucketQuotaChanged q) {
            return changeBucket(q.bucket(), b -> {
                if ((q.maxBytes() != null && q.maxBytes() < 0) || (q.maxObjects() != null && q.maxObjects() < 0)) {
                    throw new Refused(Rejection.INVALID_EVENT);
                }
                return b.withQuota(q.maxBytes(), q.maxObjects());
            });
        }
        return null;
    }

    /** A bucket's setting changed: NO_SUCH_BUCKET without the bucket, the change's own refusal, or null once stored. */
    private Rejection changeBucket(String name, java.util.function.UnaryOperator<Bucket> change) {
        Bucket b = buckets.get(name);
        if (b == null) {
            return Rejection.NO_SUCH_BUCKET;
        }
        try {
            buckets.put(b.name(), change.apply(b));
            return null;
        } catch (Refused r) {
            return r.rejection;
        }
    }

    /** Thrown by a bucket change that does not fit the bucket; nothing was stored. */
    private static final class Refused extends RuntimeException {
        final Rejection rejection;

        Refused(Rejection rejection) {
            super(null, null, false, false);
            this.rejection = rejection;
        }
    }
}
