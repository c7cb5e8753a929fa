package org.blockcloset.ledger.view;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.blockcloset.ledger.codec.Json;
import org.blockcloset.ledger.event.Keys;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.JoinToken;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectSummary;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Upload;
import org.blockcloset.ledger.model.BlockId;

/**
 * Read side of the views (Streams interactive queries). Callers that need to see their own write
 * wait on {@link ViewProgress} first; the Ledger does that for every append.
 */
public final class Views {
    private static final StringSerializer KEYS = new StringSerializer();
    /** The greatest code point: appended to a prefix it sorts after every key that extends the prefix by one char. */
    private static final String MAX_CHAR = new String(Character.toChars(Character.MAX_CODE_POINT));

    private final KafkaStreams streams;

    public Views(KafkaStreams streams, ViewProgress progress) {
        this.streams = streams;
        this.source = null;
        this.progress = progress;
    }

    /** Views over stores that are not Streams' (a {@link Replay}'s). */
    Views(java.util.function.Function<String, ? extends ReadOnlyKeyValueStore<String, ?>> stores, ViewProgress progress) {
        this.streams = null;
        this.source = stores;
        this.progress = progress;
    }

    private final ViewProgress progress;

    /**
     * The members and the layout as of now: read by every write (where its blocks go) and every read
     * that may need another node's copy, changed only by membership events. Kept between those
     * events: {@link ViewProgress#membershipGeneration} changes after the fold applies one, and the
     * snapshot is read again then.
     */
    public record Membership(Layout layout, List<ClusterNode> nodes) {
        public Optional<ClusterNode> node(String nodeId) {
            for (ClusterNode n : nodes) {
                if (n.nodeId().equals(nodeId)) {
                    return Optional.of(n);
                }
            }
            return Optional.empty();
        }
    }

    private record Snapshot(long generation, Membership membership) {
    }

    private volatile Snapshot membership;

    public Membership membership() {
        long generation = progress.membershipGeneration();
        Snapshot s = membership;
        if (s != null && s.generation() == generation) {
            return s.membership();
        }
        Layout l = this.<Layout>store(StoreNames.LAYOUT).get(StoreNames.CURRENT);
        Membership m = new Membership(l == null ? Layout.EMPTY : l, List.copyOf(this.<ClusterNode>all(StoreNames.MEMBERS)));
        membership = new Snapshot(generation, m); // read after the generation: a change meanwhile bumps it again
        return m;
    }

    private final java.util.function.Function<String, ? extends ReadOnlyKeyValueStore<String, ?>> source;

    /**
     * The composite store handles find the current task's store on every call, so one handle per
     * store serves for the life of the node; only obtaining it needs the views to be running.
     */
    private final java.util.Map<String, ReadOnlyKeyValueStore<String, ?>> handles = new java.util.concurrent.ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        org.blockcloset.ledger.trace.Trace.viewRead();
        ReadOnlyKeyValueStore<String, ?> handle = handles.get(name);
        if (handle == null && source != null) {
            return (ReadOnlyKeyValueStore<String, V>) source.apply(name);
        }
        if (handle == null) {
            try {
                handle = new GuardedStore<>(streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())));
            } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
                throw GuardedStore.unavailable(e);
            }
            handles.put(name, handle);
        }
        return (ReadOnlyKeyValueStore<String, V>) handle;
    }

    public Optional<Bucket> bucket(String name) {
        return Optional.ofNullable(this.<Bucket>store(StoreNames.BUCKETS).get(name));
    }

    public List<Bucket> buckets() {
        return all(StoreNames.BUCKETS);
    }

    public Optional<ObjectVersion> object(String bucket, String key) {
        return Optional.ofNullable(Json.read(this.<byte[]>store(StoreNames.OBJECTS).get(Keys.object(bucket, key)),
                ObjectVersion.class));
    }

    /**
     * Every block reference in the views, with the bucket it belongs to: each current object's
     * blocks, then each part of each multipart upload in progress. A block shared by several objects
     * (deduplicated) is visited once per reference. For the repair, which needs each block's
     * replication factor from its buckets.
     */
    public void forEachBlockReference(java.util.function.BiConsumer<String, BlockRef> visitor) {
        // Versioned buckets keep every version (the current one too) in the versions store; the
        // objects store adds the objects of the other buckets.
        java.util.Map<String, Boolean> versioned = new java.util.HashMap<>();
        ReadOnlyKeyValueStore<String, byte[]> objects = store(StoreNames.OBJECTS);
        try (KeyValueIterator<String, byte[]> it = objects.all()) {
            while (it.hasNext()) {
                ObjectVersion o = Json.read(it.next().value, ObjectVersion.class);
                if (o != null && o.blocks() != null && !versioned.computeIfAbsent(o.bucket(),
                        name -> bucket(name).map(Bucket::versioned).orElse(false))) {
                    o.blocks().forEach(b -> visitor.accept(o.bucket(), b));
                }
            }
        }
        try (KeyValueIterator<String, byte[]> it = this.<byte[]>store(StoreNames.VERSIONS).all()) {
            while (it.hasNext()) {
                ObjectVersion o = Json.read(it.next().value, ObjectVersion.class);
                if (o != null && o.blocks() != null) {
                    o.blocks().forEach(b -> visitor.accept(o.bucket(), b));
                }
            }
        }
        ReadOnlyKeyValueStore<String, Upload> uploads = store(StoreNames.UPLOADS);
        ReadOnlyKeyValueStore<String, Part> parts = store(StoreNames.PARTS);
        try (KeyValueIterator<String, Upload> it = uploads.all()) {
            while (it.hasNext()) {
                Upload u = it.next().value;
                try (KeyValueIterator<String, Part> ps = parts.prefixScan(u.uploadId() + "/", KEYS)) {
                    while (ps.hasNext()) {
                        Part p = ps.next().value;
                        if (p.blocks() != null) {
                            p.blocks().forEach(b -> visitor.accept(u.bucket(), b));
                        }
                    }
                }
            }
        }
    }

    /** The nodes a write recorded as possibly lacking this block (empty when none). */
    public List<String> underReplicated(BlockId blockId) {
        String[] nodes = this.<String[]>store(StoreNames.UNDER_REPLICATED).get(blockId.hex());
        return nodes == null ? List.of() : List.of(nodes);
    }

    /** The S3 version id of the version a put or delete at {@code offset} of the log made, if the bucket gave it one. */
    public static String versionIdAt(long offset) {
        return ViewFold.suffix(offset);
    }

    /** No object, no version and no delete marker: what DeleteBucket needs. */
    public boolean bucketIsEmpty(String bucket) {
        try (KeyValueIterator<String, byte[]> it = this.<byte[]>store(StoreNames.OBJECTS).prefixScan(bucket + "/", KEYS);
             KeyValueIterator<String, byte[]> vs = this.<byte[]>store(StoreNames.VERSIONS).prefixScan(bucket + "/", KEYS)) {
            return !it.hasNext() && !vs.hasNext();
        }
    }

    /**
     * One version of a key of a versioned bucket by its S3 id ("null": the null version), delete
     * markers included; empty when there is none.
     */
    public Optional<ObjectVersion> version(String bucket, String key, String s3VersionId) {
        ReadOnlyKeyValueStore<String, byte[]> versions = store(StoreNames.VERSIONS);
        String base = Keys.object(bucket, key) + '\u0000';
        if ("null".equals(s3VersionId)) {
            try (KeyValueIterator<String, byte[]> it = versions.prefixScan(base, KEYS)) {
                while (it.hasNext()) {
                    ObjectVersion v = Json.read(it.next().value, ObjectVersion.class);
                    if (v.s3VersionId() == null) {
                        return Optional.of(v);
                    }
                }
            }
            return Optional.empty();
        }
        if (s3VersionId == null || !s3VersionId.matches("[0-9a-f]{16}")) {
            return Optional.empty();
        }
        return Optional.ofNullable(Json.read(versions.get(base + s3VersionId), ObjectVersion.class))
                .filter(v -> s3VersionId.equals(v.s3VersionId()));
    }

    /** Every current object of a bucket, in key order (lifecycle evaluation). */
    public void forEachObject(String bucket, java.util.function.Consumer<ObjectVersion> visitor) {
        try (KeyValueIterator<String, byte[]> it = this.<byte[]>store(StoreNames.OBJECTS).prefixScan(bucket + "/", KEYS)) {
            while (it.hasNext()) {
                visitor.accept(Json.read(it.next().value, ObjectVersion.class));
            }
        }
    }

    /** Every version and delete marker of a versioned bucket: keys in order, each key's newest first. */
    public void forEachVersion(String bucket, java.util.function.Consumer<ObjectVersion> visitor) {
        try (KeyValueIterator<String, byte[]> it = this.<byte[]>store(StoreNames.VERSIONS).prefixScan(bucket + "/", KEYS)) {
            while (it.hasNext()) {
                visitor.accept(Json.read(it.next().value, ObjectVersion.class));
            }
        }
    }

    /** The newest version of a key of a versioned bucket, delete marker or not. */
    public Optional<ObjectVersion> latestVersion(String bucket, String key) {
        try (KeyValueIterator<String, byte[]> it = this.<byte[]>store(StoreNames.VERSIONS)
                .prefixScan(Keys.object(bucket, key) + '\u0000', KEYS)) {
            return it.hasNext() ? Optional.of(Json.read(it.next().value, ObjectVersion.class)) : Optional.empty();
        }
    }

    /**
     * ListObjectVersions over a versioned bucket: keys in UTF-8 order, each key's versions newest
     * first, common prefixes folded as in {@link #list}.
     *
     * @param keyMarker       resume after this key (all its versions), or, with a version id marker,
     * @param versionIdMarker after this version of it
     */
    public VersionPage listVersions(String bucket, String prefix, String delimiter, String keyMarker, String versionIdMarker,
                                    int maxKeys) {
        prefix = prefix == null ? "" : prefix;
        String base = bucket + "/";
        String delim = delimiter == null || delimiter.isEmpty() ? null : delimiter;
        String from = base + prefix;
        String lastPrefix = null;
        String previousKey = null;
        if (keyMarker != null && !keyMarker.isEmpty() && compareUtf8(keyMarker, prefix) >= 0) {
            String cp = commonPrefix(keyMarker, prefix, delim);
            if (cp != null && cp.equals(keyMarker)) {
                lastPrefix = cp;
                from = base + cp + MAX_CHAR;
            } else if (versionIdMarker != null && !versionIdMarker.isEmpty()) {
                String suffix = "null".equals(versionIdMarker) ? nullSuffix(bucket, keyMarker) : versionIdMarker;
                from = suffix == null ? base + keyMarker + '\u0000' + MAX_CHAR : base + keyMarker + '\u0000' + suffix + '\u0000';
                previousKey = keyMarker;
            } else {
                from = base + keyMarker + '\u0000' + MAX_CHAR;
            }
        }
        List<VersionPage.Entry> out = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String nextKey = null;
        String nextVersion = null;
        boolean truncated = false;
        ReadOnlyKeyValueStore<String, byte[]> versions = store(StoreNames.VERSIONS);
        boolean reopen = true;
        while (reopen) {
            reopen = false;
            try (KeyValueIterator<String, byte[]> it = versions.range(from, null)) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    if (!kv.key.startsWith(base + prefix)) {
                        break;
                    }
                    int cut = kv.key.lastIndexOf('\u0000');
                    String key = kv.key.substring(base.length(), cut);
                    String cp = commonPrefix(key, prefix, delim);
                    if (cp != null && cp.equals(lastPrefix)) {
                        continue;
                    }
                    if (out.size() + prefixes.size() >= maxKeys) {
                        truncated = true;
                        break;
                    }
                    if (cp == null) {
                        ObjectSummary v = Json.read(kv.value, ObjectSummary.class);
                        out.add(new VersionPage.Entry(v, !key.equals(previousKey)));
                        previousKey = key;
                        nextKey = key;
                        nextVersion = v.s3VersionIdOrNull();
                    } else {
                        prefixes.add(cp);
                        nextKey = cp;
                        nextVersion = null;
                        lastPrefix = cp;
                        from = base + cp + MAX_CHAR;
                        reopen = true;
                        break;
                    }
                }
            }
        }
        return new VersionPage(out, prefixes, truncated, truncated ? nextKey : null, truncated ? nextVersion : null);
    }

    private String nullSuffix(String bucket, String key) {
        String base = Keys.object(bucket, key) + '\u0000';
        try (KeyValueIterator<String, byte[]> it = this.<byte[]>store(StoreNames.VERSIONS).prefixScan(base, KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (Json.read(kv.value, ObjectVersion.class).s3VersionId() == null) {
                    return kv.key.substring(base.length());
                }
            }
        }
        return null;
    }

    public Optional<AccessKey> accessKey(String id) {
        return Optional.ofNullable(this.<AccessKey>store(StoreNames.ACCESS_KEYS).get(id));
    }

    public List<AccessKey> accessKeys() {
        return all(StoreNames.ACCESS_KEYS);
    }

    public Optional<ClusterNode> node(String nodeId) {
        return membership().node(nodeId);
    }

    /** The cluster's members, by node id. */
    public List<ClusterNode> nodes() {
        return new ArrayList<>(membership().nodes());
    }

    /** The current layout ({@link Layout#EMPTY} before the first). */
    public Layout layout() {
        return membership().layout();
    }

    /** Blocks recorded as missing a copy (BlocksUnderReplicated) and not repaired yet. */
    public long underReplicatedCount() {
        return this.<String[]>store(StoreNames.UNDER_REPLICATED).approximateNumEntries();
    }

    /** The console's setup (cluster name, administrator), empty until the first-run setup is done. */
    public Optional<org.blockcloset.ledger.model.ConsoleSettings> console() {
        return Optional.ofNullable(this.<org.blockcloset.ledger.model.ConsoleSettings>store(StoreNames.CONSOLE).get(StoreNames.CURRENT));
    }

    /** What a bucket holds (objects, bytes); counted from the objects while the fold has not counted them yet. */
    public org.blockcloset.ledger.model.BucketStats bucketStats(String bucket) {
        ReadOnlyKeyValueStore<String, org.blockcloset.ledger.model.BucketStats> stats = store(StoreNames.BUCKET_STATS);
        if (stats.get(StoreNames.STATS_READY) != null) {
            org.blockcloset.ledger.model.BucketStats s = stats.get(bucket);
            return s == null ? org.blockcloset.ledger.model.BucketStats.EMPTY : s;
        }
        long n = 0;
        long bytes = 0;
        try (KeyValueIterator<String, byte[]> it = this.<byte[]>store(StoreNames.OBJECTS).prefixScan(bucket + "/",
                new org.apache.kafka.common.serialization.StringSerializer())) {
            while (it.hasNext()) {
                n++;
                bytes += Json.read(it.next().value, ObjectVersion.class).size();
            }
        }
        return new org.blockcloset.ledger.model.BucketStats(n, bytes);
    }

    public Optional<JoinToken> joinToken(String tokenId) {
        return Optional.ofNullable(this.<JoinToken>store(StoreNames.JOIN_TOKENS).get(tokenId));
    }

    /** Every join token made, used, expired or revoked ones included (a few per node ever joined). */
    public List<JoinToken> joinTokens() {
        return all(StoreNames.JOIN_TOKENS);
    }

    public boolean isReferenced(BlockId blockId) {
        return this.<Long>store(StoreNames.BLOCK_REFS).get(blockId.hex()) != null;
    }

    public long references(BlockId blockId) {
        Long n = this.<Long>store(StoreNames.BLOCK_REFS).get(blockId.hex());
        return n == null ? 0 : n;
    }

    public Optional<Upload> upload(String bucket, String key, String uploadId) {
        return Optional.ofNullable(this.<Upload>store(StoreNames.UPLOADS).get(Keys.upload(bucket, key, uploadId)));
    }

    /** Parts of an upload in part-number order, after {@code partNumberMarker}, at most {@code max}. */
    public List<Part> parts(String uploadId, int partNumberMarker, int max) {
        List<Part> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, Part> parts = store(StoreNames.PARTS);
        try (KeyValueIterator<String, Part> it = parts.prefixScan(uploadId + "/", KEYS)) {
            while (it.hasNext() && out.size() < max) {
                Part p = it.next().value;
                if (p.partNumber() > partNumberMarker) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Uploads in progress in a bucket, by key then upload id, after the markers, at most {@code max}. */
    public List<Upload> uploads(String bucket, String prefix, String keyMarker, String uploadIdMarker, int max) {
        prefix = prefix == null ? "" : prefix; // absent in the request: else "null" would become the prefix
        String base = bucket + "/";
        String from = base + prefix;
        if (keyMarker != null && !keyMarker.isEmpty() && compareUtf8(keyMarker, prefix) >= 0) {
            from = uploadIdMarker == null || uploadIdMarker.isEmpty()
                    ? base + keyMarker + '\u0000' + MAX_CHAR
                    : Keys.upload(bucket, keyMarker, uploadIdMarker) + '\u0000';
        }
        List<Upload> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, Upload> uploads = store(StoreNames.UPLOADS);
        try (KeyValueIterator<String, Upload> it = uploads.range(from, null)) {
            while (it.hasNext() && out.size() < max) {
                KeyValue<String, Upload> kv = it.next();
                if (!kv.key.startsWith(base + prefix)) {
                    break;
                }
                out.add(kv.value);
            }
        }
        return out;
    }

    /**
     * Lists a bucket in UTF-8 binary key order, S3 style. Keys under a common prefix are skipped by
     * seeking past the prefix, so a listing never scans more of the bucket than it returns.
     *
     * @param after exclusive start: a key (start-after, marker) or a common prefix returned before
     */
    public ListPage list(String bucket, String prefix, String delimiter, String after, int maxKeys) {
        prefix = prefix == null ? "" : prefix; // absent in the request: else "null" would become the prefix
        String base = bucket + "/";
        String delim = delimiter == null || delimiter.isEmpty() ? null : delimiter;
        String lastPrefix = null;
        String from = base + prefix;
        if (after != null && !after.isEmpty() && compareUtf8(after, prefix) >= 0) {
            String cp = commonPrefix(after, prefix, delim);
            if (cp != null && cp.equals(after)) {
                lastPrefix = cp; // resuming after a common prefix: skip all of it
                from = base + cp + MAX_CHAR;
            } else {
                from = base + after + '\u0000';
            }
        }
        List<ObjectSummary> contents = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String next = null;
        boolean truncated = false;
        ReadOnlyKeyValueStore<String, byte[]> objects = store(StoreNames.OBJECTS);
        boolean reopen = true;
        while (reopen) {
            reopen = false;
            try (KeyValueIterator<String, byte[]> it = objects.range(from, null)) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    if (!kv.key.startsWith(base + prefix)) {
                        break;
                    }
                    String key = kv.key.substring(base.length());
                    String cp = commonPrefix(key, prefix, delim);
                    if (cp != null && cp.equals(lastPrefix)) {
                        continue;
                    }
                    if (contents.size() + prefixes.size() >= maxKeys) {
                        truncated = true;
                        break;
                    }
                    if (cp == null) {
                        contents.add(Json.read(kv.value, ObjectSummary.class));
                        next = key;
                    } else {
                        prefixes.add(cp);
                        next = cp;
                        lastPrefix = cp;
                        from = base + cp + MAX_CHAR;
                        reopen = true;
                        break;
                    }
                }
            }
        }
        return new ListPage(contents, prefixes, truncated, truncated ? next : null);
    }

    private static String commonPrefix(String key, String prefix, String delimiter) {
        if (delimiter == null || !key.startsWith(prefix)) {
            return null;
        }
        int i = key.indexOf(delimiter, prefix.length());
        return i < 0 ? null : key.substring(0, i + delimiter.length());
    }

    /** S3 orders keys by their UTF-8 bytes, which differs from Java's UTF-16 order above U+FFFF. */
    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private <V> List<V> all(String name) {
        List<V> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, V> s = store(name);
        try (KeyValueIterator<String, V> it = s.all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }
}
