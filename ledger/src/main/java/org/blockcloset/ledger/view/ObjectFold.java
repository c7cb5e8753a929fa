package org.blockcloset.ledger.view;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.blockcloset.ledger.codec.Json;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.event.AccessKeyRevoked;
import org.blockcloset.ledger.event.BucketCreated;
import org.blockcloset.ledger.event.BucketDeleted;
import org.blockcloset.ledger.event.BucketReplicationChanged;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.Keys;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.event.MultipartUploadAborted;
import org.blockcloset.ledger.event.MultipartUploadCompleted;
import org.blockcloset.ledger.event.MultipartUploadCreated;
import org.blockcloset.ledger.event.ObjectDeleted;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.event.PartUploaded;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Precondition;
import org.blockcloset.ledger.model.Upload;

/**
 * The fold of objects, their versions, multipart uploads and parts into their stores, with what
 * follows from them in one place: block reference counts (from the old and the new state of a
 * record), bucket statistics, and deleting a bucket (refused while it holds anything).
 */
final class ObjectFold {
    private static final StringSerializer KEYS = new StringSerializer();
    private final KeyValueStore<String, Bucket> buckets;
    private final KeyValueStore<String, byte[]> objects;
    private final KeyValueStore<String, byte[]> versions;
    private final KeyValueStore<String, Upload> uploads;
    private final KeyValueStore<String, Part> parts;
    private final KeyValueStore<String, Long> blockRefs;
    private final KeyValueStore<String, org.blockcloset.ledger.model.BucketStats> stats;
    private boolean statsChecked;
    /**
     * The time retention and legal holds are judged at for the event being applied: the earlier of
     * its envelope's time and the time the log appended it (ADR 0004; {@link ViewFold}).
     */
    private java.time.Instant lockTime;

    ObjectFold(KeyValueStore<String, Bucket> buckets, KeyValueStore<String, byte[]> objects, KeyValueStore<String, byte[]> versions,
               KeyValueStore<String, Upload> uploads, KeyValueStore<String, Part> parts, KeyValueStore<String, Long> blockRefs,
               KeyValueStore<String, org.blockcloset.ledger.model.BucketStats> stats) {
        this.buckets = buckets;
        this.objects = objects;
        this.versions = versions;
        this.uploads = uploads;
        this.parts = parts;
        this.blockRefs = blockRefs;
        this.stats = stats;
    }

    /** Counts, once, what state made before the counts existed holds (the first event's transaction). */
    void countOnce() {
        if (!statsChecked) {
            countObjectsOnce();
            countPartsOnce();
        }
    }

    /** @param lockTime when retention and holds are judged for this event */
    Rejection apply(LoggedEvent logged, long offset, java.time.Instant lockTime) {
        this.lockTime = lockTime;
        Event e = logged.event();
        if (e instanceof org.blockcloset.ledger.event.ObjectLockChanged l) {
            return changeLock(l, lockTime);
        } else if (e instanceof org.blockcloset.ledger.event.ObjectAclChanged a) {
            return changeVersion(a.bucket(), a.key(), a.s3VersionId(), null, o -> o.withAcl(a.acl()));
        } else if (e instanceof org.blockcloset.ledger.event.ObjectTagsChanged t) {
            // Same blocks: references unchanged. The event names the version by its write's id.
            return changeVersion(t.bucket(), t.key(), null, t.versionId(), o -> o.withTags(t.tags()));
        } else if (e instanceof BucketDeleted d) {
            return deleteBucket(d.bucket());
        } else if (e instanceof ObjectPut p) {
            return putObject(p.object(), p.precondition(), offset);
        } else if (e instanceof ObjectDeleted d) {
            return deleteObject(d, logged, offset);
        } else if (e instanceof MultipartUploadCreated c) {
            if (buckets.get(c.upload().bucket()) == null) {
                return Rejection.NO_SUCH_BUCKET;
            }
            Upload u = c.upload();
            uploads.put(Keys.upload(u.bucket(), u.key(), u.uploadId()), u);
        } else if (e instanceof PartUploaded p) {
            if (uploads.get(Keys.upload(p.bucket(), p.key(), p.uploadId())) == null) {
                return Rejection.NO_SUCH_UPLOAD;
            }
            String partKey = Keys.part(p.uploadId(), p.part().partNumber());
            Part old = parts.get(partKey);
            // Pending parts are counted (the gateway weighs them against the quota before it takes a
            // part or an object); the fold refuses nothing new for them: its rules are the same for
            // every event already in the log, or nodes that folded it at different times would differ.
            parts.put(partKey, p.part());
            stats.put(p.bucket(), statsOf(p.bucket()).plusParts(p.part().size() - (old == null ? 0 : old.size())));
            adjustRefs(old == null ? List.of() : old.blocks(), p.part().blocks());
        } else if (e instanceof MultipartUploadCompleted c) {
            ObjectVersion o = c.object();
            if (uploads.get(Keys.upload(o.bucket(), o.key(), c.uploadId())) == null) {
                return Rejection.NO_SUCH_UPLOAD;
            }
            Rejection r = putObject(o, c.precondition(), offset);
            if (r != null) {
                return r;
            }
            dropUpload(o.bucket(), o.key(), c.uploadId());
        } else if (e instanceof MultipartUploadAborted a) {
            if (uploads.get(Keys.upload(a.bucket(), a.key(), a.uploadId())) == null) {
                return Rejection.NO_SUCH_UPLOAD;
            }
            dropUpload(a.bucket(), a.key(), a.uploadId());
        }
        return null;
    }

    private Rejection putObject(ObjectVersion o, Precondition precondition, long offset) {
        if (o.bucket() == null || o.key() == null || o.versionId() == null || o.blocks() == null) {
            return Rejection.INVALID_EVENT; // checked before any write: a refused event changes nothing
        }
        Bucket bucket = buckets.get(o.bucket());
        if (bucket == null) {
            return Rejection.NO_SUCH_BUCKET;
        }
        String key = Keys.object(o.bucket(), o.key());
        ObjectVersion old = Json.read(objects.get(key), ObjectVersion.class);
        if (old != null && old.versionId().equals(o.versionId())) {
            return null; // a replay of the event already applied
        }
        if (precondition != null && !precondition.holds(old)) {
            return Rejection.PRECONDITION_FAILED;
        }
        // What the write removes for good: the current object of an unversioned bucket, the null
        // version of a suspended one; nothing when versioning is enabled.
        KeyValue<String, ObjectVersion> replaced = !bucket.versioned() ? (old == null ? null : KeyValue.pair(key, old))
                : bucket.versioningEnabled() ? null : nullVersion(key);
        if (replaced != null && replaced.value.lockedAt(lockTime, false)) {
            return Rejection.OBJECT_LOCKED;
        }
        long objectsDelta = old == null ? 1 : 0;
        long bytesDelta = o.size() - (replaced == null ? 0 : replaced.value.size());
        org.blockcloset.ledger.model.BucketStats now = statsOf(o.bucket());
        if ((bucket.quotaBytes() != null && bytesDelta > 0 && now.bytes() + bytesDelta > bucket.quotaBytes())
                || (bucket.quotaObjects() != null && objectsDelta > 0 && now.objects() + objectsDelta > bucket.quotaObjects())) {
            return Rejection.QUOTA_EXCEEDED;
        }
        ObjectVersion v = o;
        if (bucket.locked() && v.lockMode() == null && bucket.lockDefault() != null) {
            v = v.withLock(bucket.lockDefault().mode(), bucket.lockDefault().until(v.lastModified()), v.legalHold());
        }
        if (bucket.versioned()) {
            String suffix = suffix(offset);
            v = v.withS3VersionId(bucket.versioningEnabled() ? suffix : null);
            if (replaced != null) {
                versions.delete(replaced.key);
            }
            versions.put(key + '\u0000' + suffix, Json.write(v));
        }
        objects.put(key, Json.write(v));
        stats.put(o.bucket(), now.plus(objectsDelta, bytesDelta));
        adjustRefs(replaced == null ? List.of() : replaced.value.blocks(), v.blocks());
        return null;
    }

    /** The 16 hex digits naming the version made at {@code offset}: newer versions sort first. */
    static String suffix(long offset) {
        return String.format("%016x", Long.MAX_VALUE - Math.max(0, offset));
    }

    /**
     * DeleteObject. Unversioned bucket: the object goes. Versioned: without a version id a delete
     * marker becomes current (replacing the null version when versioning is suspended); with one,
     * that version goes for good unless object lock retains it, and the next newest becomes current.
     */
    private Rejection deleteObject(ObjectDeleted d, LoggedEvent logged, long offset) {
        Bucket bucket = buckets.get(d.bucket());
        if (bucket == null) {
            return Rejection.NO_SUCH_BUCKET;
        }
        String key = Keys.object(d.bucket(), d.key());
        boolean bypass = Boolean.TRUE.equals(d.bypassGovernance());
        if (d.ifWriteId() != null && d.s3VersionId() == null) {
            ObjectVersion current = Json.read(objects.get(key), ObjectVersion.class);
            if (current == null || !d.ifWriteId().equals(current.versionId())) {
                return Rejection.PRECONDITION_FAILED; // overwritten or deleted since it was judged
            }
        }
        if (!bucket.versioned()) {
            ObjectVersion old = Json.read(objects.get(key), ObjectVersion.class);
            if (old == null || (d.s3VersionId() != null && !d.s3VersionId().equals("null"))) {
                return null; // nothing to delete: S3 answers success
            }
            objects.delete(key);
            adjustRefs(old.blocks(), List.of());
            count(d.bucket(), -1, -old.size());
            return null;
        }
        if (d.s3VersionId() == null) {
            KeyValue<String, ObjectVersion> replaced = bucket.versioningEnabled() ? null : nullVersion(key);
            if (replaced != null && replaced.value.lockedAt(lockTime, bypass)) {
                return Rejection.OBJECT_LOCKED;
            }
            String suffix = suffix(offset);
            ObjectVersion marker = ObjectVersion.deleteMarker(d.bucket(), d.key(), logged.id(), logged.time(),
                    bucket.versioningEnabled() ? suffix : null);
            boolean hadCurrent = objects.get(key) != null;
            if (replaced != null) {
                versions.delete(replaced.key);
                adjustRefs(replaced.value.blocks(), List.of());
            }
            versions.put(key + '\u0000' + suffix, Json.write(marker));
            objects.delete(key);
            count(d.bucket(), hadCurrent ? -1 : 0, replaced == null ? 0 : -replaced.value.size());
            return null;
        }
        KeyValue<String, ObjectVersion> target = findVersion(key, d.s3VersionId());
        if (target == null) {
            return null; // already gone: S3 answers success
        }
        if (d.ifWriteId() != null && !d.ifWriteId().equals(target.value.versionId())) {
            return Rejection.PRECONDITION_FAILED; // "null" names another write now (a put while suspended)
        }
        if (target.value.lockedAt(lockTime, bypass)) {
            return Rejection.OBJECT_LOCKED;
        }
        boolean hadCurrent = objects.get(key) != null;
        versions.delete(target.key);
        adjustRefs(target.value.blocks(), List.of());
        boolean hasCurrent = refreshCurrent(key);
        count(d.bucket(), (hasCurrent ? 1 : 0) - (hadCurrent ? 1 : 0), -target.value.size());
        return null;
    }

    /** A version of a key by its S3 id ("null" for the null version), or by its write's id; null when absent. */
    private KeyValue<String, ObjectVersion> findVersion(String key, String s3VersionId) {
        if ("null".equals(s3VersionId)) {
            return nullVersion(key);
        }
        if (s3VersionId == null || !s3VersionId.matches("[0-9a-f]{16}")) {
            return null;
        }
        String k = key + '\u0000' + s3VersionId;
        ObjectVersion v = Json.read(versions.get(k), ObjectVersion.class);
        return v == null || !s3VersionId.equals(v.s3VersionId()) ? null : KeyValue.pair(k, v);
    }

    private KeyValue<String, ObjectVersion> nullVersion(String key) {
        try (KeyValueIterator<String, byte[]> it = versions.prefixScan(key + '\u0000', KEYS)) {
            while (it.hasNext()) {
                var kv = it.next();
                ObjectVersion v = Json.read(kv.value, ObjectVersion.class);
                if (v.s3VersionId() == null) {
                    return KeyValue.pair(kv.key, v);
                }
            }
        }
        return null;
    }

    /** Makes the objects store show the key's newest version, or nothing when that is a delete marker; true when it shows one. */
    private boolean refreshCurrent(String key) {
        try (KeyValueIterator<String, byte[]> it = versions.prefixScan(key + '\u0000', KEYS)) {
            if (it.hasNext()) {
                byte[] newest = it.next().value;
                if (!Json.read(newest, ObjectVersion.class).marksDeletion()) {
                    objects.put(key, newest);
                    return true;
                }
            }
        }
        objects.delete(key);
        return false;
    }

    /** Versioning set for the first time: every object of the bucket becomes its key's null version. */
    void adoptNullVersions(String bucket) {
        try (KeyValueIterator<String, byte[]> it = objects.prefixScan(bucket + "/", KEYS)) {
            while (it.hasNext()) {
                var kv = it.next();
                versions.put(kv.key + '\u0000' + StoreNames.OLDEST, kv.value);
            }
        }
    }

    /**
     * Changes one version in place (tags, lock, ACL; never its blocks). The version is named by its
     * S3 id, or by its write's id, or (both null) is the current one.
     */
    private Rejection changeVersion(String bucket, String objectKey, String s3VersionId, String writeId,
                                    java.util.function.UnaryOperator<ObjectVersion> change) {
        Bucket b = buckets.get(bucket);
        if (b == null) {
            return Rejection.NO_SUCH_BUCKET;
        }
        String key = Keys.object(bucket, objectKey);
        ObjectVersion current = Json.read(objects.get(key), ObjectVersion.class);
        KeyValue<String, ObjectVersion> target;
        if (b.versioned() && (s3VersionId != null || writeId != null)) {
            target = s3VersionId != null ? findVersion(key, s3VersionId) : locate(key, writeId);
        } else if (s3VersionId != null && !s3VersionId.equals("null")) {
            target = null;
        } else if (current == null || (writeId != null && !writeId.equals(current.versionId()))) {
            target = null;
        } else {
            target = b.versioned() ? locate(key, current.versionId()) : KeyValue.pair(key, current);
        }
        if (target == null || target.value.marksDeletion()) {
            return s3VersionId == null ? Rejection.NO_SUCH_KEY : Rejection.NO_SUCH_VERSION;
        }
        ObjectVersion changed = change.apply(target.value);
        if (changed == null) {
            return Rejection.OBJECT_LOCKED;
        }
        if (b.versioned()) {
            versions.put(target.key, Json.write(changed));
            if (current != null && current.versionId().equals(changed.versionId())) {
                objects.put(key, Json.write(changed));
            }
        } else {
            objects.put(key, Json.write(changed));
        }
        return null;
    }

    private KeyValue<String, ObjectVersion> locate(String key, String writeId) {
        try (KeyValueIterator<String, byte[]> it = versions.prefixScan(key + '\u0000', KEYS)) {
            while (it.hasNext()) {
                var kv = it.next();
                ObjectVersion v = Json.read(kv.value, ObjectVersion.class);
                if (writeId.equals(v.versionId())) {
                    return KeyValue.pair(kv.key, v);
                }
            }
        }
        return null;
    }

    /**
     * PutObjectRetention / PutObjectLegalHold. COMPLIANCE can only be extended; GOVERNANCE can be
     * shortened or removed only with the bypass.
     */
    private Rejection changeLock(org.blockcloset.ledger.event.ObjectLockChanged l, java.time.Instant now) {
        Bucket b = buckets.get(l.bucket());
        if (b == null) {
            return Rejection.NO_SUCH_BUCKET;
        }
        if (!b.locked()) {
            return Rejection.INVALID_BUCKET_STATE;
        }
        boolean bypass = Boolean.TRUE.equals(l.bypassGovernance());
        if (l.mode() != null && !l.mode().isEmpty() && l.retainUntil() == null) {
            return Rejection.INVALID_EVENT; // a retention needs its end
        }
        return changeVersion(l.bucket(), l.key(), l.s3VersionId(), null, o -> {
            String mode = o.lockMode();
            java.time.Instant until = o.retainUntil();
            if (l.mode() != null) {
                boolean active = mode != null && until != null && until.isAfter(now);
                String newMode = l.mode().isEmpty() ? null : l.mode();
                java.time.Instant newUntil = newMode == null ? null : l.retainUntil();
                boolean weaker = newMode == null || (newUntil != null && until != null && newUntil.isBefore(until))
                        || ("COMPLIANCE".equals(mode) && !"COMPLIANCE".equals(newMode));
                if (active && weaker && ("COMPLIANCE".equals(mode) || !bypass)) {
                    return null;
                }
                mode = newMode;
                until = newUntil;
            }
            Boolean hold = l.legalHold() != null ? l.legalHold() : o.legalHold();
            return o.withLock(mode, until, hold);
        });
    }

    private org.blockcloset.ledger.model.BucketStats statsOf(String bucket) {
        org.blockcloset.ledger.model.BucketStats s = stats.get(bucket);
        return s == null ? org.blockcloset.ledger.model.BucketStats.EMPTY : s;
    }

    private void count(String bucket, long objectsDelta, long bytesDelta) {
        stats.put(bucket, statsOf(bucket).plus(objectsDelta, bytesDelta));
    }

    /**
     * State made before bucket statistics existed has objects but no counts: count them once, in the
     * first event's transaction, and mark the store as counted.
     */
    /**
     * State made before pending parts were counted holds parts but no part bytes: count them once, in
     * the first event's transaction, so a node upgraded in place holds what a node folding the log
     * from its start holds at the same offset.
     */
    private void countPartsOnce() {
        if (stats.get(StoreNames.PARTS_COUNTED) != null) {
            return;
        }
        java.util.Map<String, String> bucketOfUpload = new java.util.HashMap<>();
        try (KeyValueIterator<String, Upload> it = uploads.all()) {
            it.forEachRemaining(kv -> bucketOfUpload.put(kv.value.uploadId(), kv.value.bucket()));
        }
        java.util.Map<String, Long> pending = new java.util.HashMap<>();
        try (KeyValueIterator<String, Part> it = parts.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                String bucket = bucketOfUpload.get(kv.key.substring(0, kv.key.indexOf('/')));
                if (bucket != null) {
                    pending.merge(bucket, kv.value.size(), Long::sum);
                }
            }
        }
        pending.forEach((b, n) -> {
            org.blockcloset.ledger.model.BucketStats s = statsOf(b);
            stats.put(b, new org.blockcloset.ledger.model.BucketStats(s.objects(), s.bytes(), n));
        });
        stats.put(StoreNames.PARTS_COUNTED, org.blockcloset.ledger.model.BucketStats.EMPTY);
    }

    private void countObjectsOnce() {
        statsChecked = true;
        if (stats.get(StoreNames.STATS_READY) != null) {
            return;
        }
        java.util.Map<String, long[]> counted = new java.util.HashMap<>();
        try (KeyValueIterator<String, byte[]> it = objects.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                ObjectVersion o = Json.read(kv.value, ObjectVersion.class);
                long[] c = counted.computeIfAbsent(o.bucket(), b -> new long[2]);
                c[0]++;
                c[1] += o.size();
            }
        }
        counted.forEach((b, c) -> stats.put(b, new org.blockcloset.ledger.model.BucketStats(c[0], c[1])));
        stats.put(StoreNames.STATS_READY, org.blockcloset.ledger.model.BucketStats.EMPTY);
    }

    private Rejection deleteBucket(String bucket) {
        if (buckets.get(bucket) == null) {
            return Rejection.NO_SUCH_BUCKET;
        }
        try (KeyValueIterator<String, byte[]> it = objects.prefixScan(bucket + "/", KEYS);
             KeyValueIterator<String, byte[]> vs = versions.prefixScan(bucket + "/", KEYS)) {
            if (it.hasNext() || vs.hasNext()) {
                return Rejection.BUCKET_NOT_EMPTY; // versions and delete markers count, as in S3
            }
        }
        // Uploads still in progress die with their bucket; their parts' blocks lose their references.
        List<Upload> orphans = new ArrayList<>();
        try (KeyValueIterator<String, Upload> it = uploads.prefixScan(bucket + "/", KEYS)) {
            it.forEachRemaining(kv -> orphans.add(kv.value));
        }
        orphans.forEach(u -> dropUpload(u.bucket(), u.key(), u.uploadId()));
        buckets.delete(bucket);
        stats.delete(bucket);
        return null;
    }

    private void dropUpload(String bucket, String key, String uploadId) {
        List<KeyValue<String, Part>> ps = new ArrayList<>();
        try (KeyValueIterator<String, Part> it = parts.prefixScan(uploadId + "/", KEYS)) {
            it.forEachRemaining(ps::add);
        }
        long released = 0;
        for (KeyValue<String, Part> kv : ps) {
            parts.delete(kv.key);
            adjustRefs(kv.value.blocks(), List.of());
            released += kv.value.size();
        }
        stats.put(bucket, statsOf(bucket).plusParts(-released));
        uploads.delete(Keys.upload(bucket, key, uploadId));
    }

    private void adjustRefs(List<BlockRef> removed, List<BlockRef> added) {
        Map<String, Long> delta = new HashMap<>();
        for (BlockRef b : added) {
            delta.merge(b.id().hex(), 1L, Long::sum);
        }
        for (BlockRef b : removed) {
            delta.merge(b.id().hex(), -1L, Long::sum);
        }
        delta.forEach((id, d) -> {
            if (d == 0) {
                return;
            }
            Long current = blockRefs.get(id);
            long next = (current == null ? 0 : current) + d;
            if (next > 0) {
                blockRefs.put(id, next);
            } else {
                blockRefs.delete(id);
            }
        });
    }
}
