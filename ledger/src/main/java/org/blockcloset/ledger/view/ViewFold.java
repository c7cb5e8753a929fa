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
import org.blockcloset.ledger.Json;
import org.blockcloset.ledger.Rejection;
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
 * The fold of the event log into the views. Every side effect (block reference counts above all)
 * is derived here, in one place, from the old and the new state of a record. Runs under Streams'
 * exactly-once processing, so the stores and the consumed offset move together.
 */
final class ViewFold implements Processor<String, LoggedEvent, Void, Void> {
    private static final StringSerializer KEYS = new StringSerializer();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ViewFold.class);

    private final ViewProgress progress;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, Bucket> buckets;
    private KeyValueStore<String, byte[]> objects;
    private KeyValueStore<String, Upload> uploads;
    private KeyValueStore<String, Part> parts;
    private KeyValueStore<String, Long> blockRefs;
    private KeyValueStore<String, AccessKey> accessKeys;
    private KeyValueStore<String, org.blockcloset.ledger.model.BucketStats> stats;
    private boolean statsChecked;
    private MembershipFold membership;

    ViewFold(ViewProgress progress) {
        this.progress = progress;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        bind(context::getStateStore);
    }

    /** Binds the fold to its stores: Streams' in the node, in-memory ones for a {@link Replay}. */
    @SuppressWarnings("unchecked")
    void bind(java.util.function.Function<String, ? extends org.apache.kafka.streams.processor.StateStore> stores) {
        java.util.function.Function<String, KeyValueStore<String, ?>> s = name -> (KeyValueStore<String, ?>) stores.apply(name);
        buckets = (KeyValueStore<String, Bucket>) s.apply(StoreNames.BUCKETS);
        objects = (KeyValueStore<String, byte[]>) s.apply(StoreNames.OBJECTS);
        uploads = (KeyValueStore<String, Upload>) s.apply(StoreNames.UPLOADS);
        parts = (KeyValueStore<String, Part>) s.apply(StoreNames.PARTS);
        blockRefs = (KeyValueStore<String, Long>) s.apply(StoreNames.BLOCK_REFS);
        accessKeys = (KeyValueStore<String, AccessKey>) s.apply(StoreNames.ACCESS_KEYS);
        stats = (KeyValueStore<String, org.blockcloset.ledger.model.BucketStats>) s.apply(StoreNames.BUCKET_STATS);
        statsChecked = false;
        membership = new MembershipFold((KeyValueStore<String, org.blockcloset.ledger.model.ClusterNode>) s.apply(StoreNames.MEMBERS),
                (KeyValueStore<String, org.blockcloset.ledger.layout.Layout>) s.apply(StoreNames.LAYOUT),
                (KeyValueStore<String, org.blockcloset.ledger.model.JoinToken>) s.apply(StoreNames.JOIN_TOKENS),
                (KeyValueStore<String, String[]>) s.apply(StoreNames.UNDER_REPLICATED),
                (KeyValueStore<String, org.blockcloset.ledger.model.ConsoleSettings>) s.apply(StoreNames.CONSOLE));
    }

    @Override
    public void process(Record<String, LoggedEvent> record) {
        Rejection rejection;
        try {
            rejection = record.value() == null ? null : apply(record.value());
        } catch (org.apache.kafka.streams.errors.StreamsException e) {
            throw e; // the stores failed: the task restarts from its last commit
        } catch (RuntimeException e) {
            // A malformed event must not wedge the views (it would be retried forever): refuse it.
            LOG.error("event {} cannot be applied; refused", record.key(), e);
            rejection = Rejection.INVALID_EVENT;
        }
        Rejection outcome = rejection;
        context.recordMetadata().ifPresent(m -> progress.applied(m.partition(), m.offset(), outcome));
    }

    Rejection apply(LoggedEvent logged) {
        Event e = logged.event();
        if (!statsChecked) {
            countObjectsOnce();
        }
        if (MembershipFold.handles(e)) {
            return membership.apply(logged);
        }
        if (e instanceof BucketCreated c) {
            if (buckets.get(c.bucket()) != null) {
                return Rejection.BUCKET_EXISTS;
            }
            buckets.put(c.bucket(), new Bucket(c.bucket(), c.created(), logged.actor()));
        } else if (e instanceof BucketReplicationChanged r) {
            Bucket b = buckets.get(r.bucket());
            if (b == null) {
                return Rejection.NO_SUCH_BUCKET;
            }
            if (r.replication() != null && (r.replication() < 1 || r.replication() > 3)) {
                return Rejection.INVALID_EVENT;
            }
            buckets.put(b.name(), new Bucket(b.name(), b.created(), b.owner(), r.replication(), b.quotaBytes(), b.quotaObjects(), b.tags()));
        } else if (e instanceof org.blockcloset.ledger.event.BucketTagsChanged t) {
            Bucket b = buckets.get(t.bucket());
            if (b == null) {
                return Rejection.NO_SUCH_BUCKET;
            }
            buckets.put(b.name(), b.withTags(t.tags()));
        } else if (e instanceof org.blockcloset.ledger.event.ObjectTagsChanged t) {
            String key = Keys.object(t.bucket(), t.key());
            ObjectVersion o = Json.read(objects.get(key), ObjectVersion.class);
            if (o == null || (t.versionId() != null && !t.versionId().equals(o.versionId()))) {
                return Rejection.NO_SUCH_KEY;
            }
            objects.put(key, Json.write(o.withTags(t.tags()))); // same blocks: references unchanged
        } else if (e instanceof org.blockcloset.ledger.event.BucketQuotaChanged q) {
            Bucket b = buckets.get(q.bucket());
            if (b == null) {
                return Rejection.NO_SUCH_BUCKET;
            }
            if ((q.maxBytes() != null && q.maxBytes() < 0) || (q.maxObjects() != null && q.maxObjects() < 0)) {
                return Rejection.INVALID_EVENT;
            }
            buckets.put(b.name(), new Bucket(b.name(), b.created(), b.owner(), b.replication(), q.maxBytes(), q.maxObjects(), b.tags()));
        } else if (e instanceof BucketDeleted d) {
            return deleteBucket(d.bucket());
        } else if (e instanceof ObjectPut p) {
            return putObject(p.object(), p.precondition());
        } else if (e instanceof ObjectDeleted d) {
            ObjectVersion old = Json.read(objects.delete(Keys.object(d.bucket(), d.key())), ObjectVersion.class);
            if (old != null) {
                adjustRefs(old.blocks(), List.of());
                count(d.bucket(), -1, -old.size());
            }
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
            parts.put(partKey, p.part());
            adjustRefs(old == null ? List.of() : old.blocks(), p.part().blocks());
        } else if (e instanceof MultipartUploadCompleted c) {
            ObjectVersion o = c.object();
            if (uploads.get(Keys.upload(o.bucket(), o.key(), c.uploadId())) == null) {
                return Rejection.NO_SUCH_UPLOAD;
            }
            Rejection r = putObject(o, c.precondition());
            if (r != null) {
                return r;
            }
            dropUpload(o.bucket(), o.key(), c.uploadId());
        } else if (e instanceof MultipartUploadAborted a) {
            if (uploads.get(Keys.upload(a.bucket(), a.key(), a.uploadId())) == null) {
                return Rejection.NO_SUCH_UPLOAD;
            }
            dropUpload(a.bucket(), a.key(), a.uploadId());
        } else if (e instanceof AccessKeyCreated c) {
            if (accessKeys.get(c.accessKeyId()) != null) {
                return Rejection.ACCESS_KEY_EXISTS;
            }
            accessKeys.put(c.accessKeyId(),
                    new AccessKey(c.accessKeyId(), c.sealedSecret(), c.description(), c.admin(), c.created(), null,
                            c.secretKey()));
        } else if (e instanceof AccessKeyRevoked r) {
            AccessKey k = accessKeys.get(r.accessKeyId());
            if (k == null) {
                return Rejection.NO_SUCH_ACCESS_KEY;
            }
            if (k.active()) {
                accessKeys.put(k.accessKeyId(), k.withRevoked(logged.time()));
            }
        } else if (e instanceof org.blockcloset.ledger.event.AccessKeyPermissionsChanged p) {
            AccessKey k = accessKeys.get(p.accessKeyId());
            if (k == null) {
                return Rejection.NO_SUCH_ACCESS_KEY;
            }
            if (p.buckets() != null) {
                for (String level : p.buckets().values()) {
                    try {
                        AccessKey.Permission.valueOf(String.valueOf(level).toUpperCase(java.util.Locale.ROOT));
                    } catch (IllegalArgumentException bad) {
                        return Rejection.INVALID_EVENT;
                    }
                }
            }
            accessKeys.put(k.accessKeyId(), k.withBuckets(p.buckets() == null ? null : new java.util.TreeMap<>(p.buckets())));
        }
        return null;
    }

    private Rejection putObject(ObjectVersion o, Precondition precondition) {
        if (o.bucket() == null || o.key() == null || o.versionId() == null || o.blocks() == null) {
            return Rejection.INVALID_EVENT; // checked before any write: a refused event changes nothing
        }
        if (buckets.get(o.bucket()) == null) {
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
        long objectsDelta = old == null ? 1 : 0;
        long bytesDelta = o.size() - (old == null ? 0 : old.size());
        Bucket bucket = buckets.get(o.bucket());
        org.blockcloset.ledger.model.BucketStats now = statsOf(o.bucket());
        if ((bucket.quotaBytes() != null && bytesDelta > 0 && now.bytes() + bytesDelta > bucket.quotaBytes())
                || (bucket.quotaObjects() != null && objectsDelta > 0 && now.objects() + objectsDelta > bucket.quotaObjects())) {
            return Rejection.QUOTA_EXCEEDED;
        }
        objects.put(key, Json.write(o));
        stats.put(o.bucket(), now.plus(objectsDelta, bytesDelta));
        adjustRefs(old == null ? List.of() : old.blocks(), o.blocks());
        return null;
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
        try (KeyValueIterator<String, byte[]> it = objects.prefixScan(bucket + "/", KEYS)) {
            if (it.hasNext()) {
                return Rejection.BUCKET_NOT_EMPTY;
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
        for (KeyValue<String, Part> kv : ps) {
            parts.delete(kv.key);
            adjustRefs(kv.value.blocks(), List.of());
        }
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
