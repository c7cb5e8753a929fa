package org.blockcloset.ledger.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.blockcloset.ledger.codec.Json;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.TestBlocks;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.event.AccessKeyRevoked;
import org.blockcloset.ledger.event.BucketCreated;
import org.blockcloset.ledger.event.BucketDeleted;
import org.blockcloset.ledger.event.BucketReplicationChanged;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.JoinTokenCreated;
import org.blockcloset.ledger.event.Keys;
import org.blockcloset.ledger.event.LayoutChanged;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.event.MultipartUploadAborted;
import org.blockcloset.ledger.event.MultipartUploadCompleted;
import org.blockcloset.ledger.event.MultipartUploadCreated;
import org.blockcloset.ledger.event.NodeCapacityChanged;
import org.blockcloset.ledger.event.NodeJoined;
import org.blockcloset.ledger.event.NodeRemoved;
import org.blockcloset.ledger.event.ObjectDeleted;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.event.PartUploaded;
import org.blockcloset.ledger.layout.Layout;
import org.blockcloset.ledger.layout.LayoutPlanner;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ClusterNode;
import org.blockcloset.ledger.model.JoinToken;
import org.blockcloset.ledger.model.NodeAddress;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Upload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fold, driven record by record through the real topology (no broker). */
class ViewFoldTest {
    private static final String TOPIC = "events";
    private static final Instant T0 = Instant.parse("2024-01-02T03:04:05Z");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, LoggedEvent> input;
    private ViewProgress progress;
    private long nextOffset;

    private KeyValueStore<String, Bucket> buckets;
    /** The objects store holds JSON bytes; the tests read it as ObjectVersion. */
    private interface Objects {
        ObjectVersion get(String key);
    }

    private Objects objects;
    private KeyValueStore<String, Upload> uploads;
    private KeyValueStore<String, Part> parts;
    private KeyValueStore<String, Long> refs;
    private KeyValueStore<String, AccessKey> accessKeys;

    @BeforeEach
    void start() {
        progress = new ViewProgress();
        StreamsBuilder builder = new StreamsBuilder();
        ViewTopology.build(builder, TOPIC, progress);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "view-fold-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props);
        input = driver.createInputTopic(TOPIC, Serdes.String().serializer(), Json.serde(LoggedEvent.class).serializer());
        buckets = driver.getKeyValueStore(StoreNames.BUCKETS);
        KeyValueStore<String, byte[]> rawObjects = driver.getKeyValueStore(StoreNames.OBJECTS);
        objects = key -> Json.read(rawObjects.get(key), ObjectVersion.class);
        uploads = driver.getKeyValueStore(StoreNames.UPLOADS);
        parts = driver.getKeyValueStore(StoreNames.PARTS);
        refs = driver.getKeyValueStore(StoreNames.BLOCK_REFS);
        accessKeys = driver.getKeyValueStore(StoreNames.ACCESS_KEYS);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // ---- buckets ------------------------------------------------------------------------------

    @Test
    void createBucketThenDuplicateIsRejected() throws Exception {
        long first = pipe("alice", new BucketCreated("photos", T0));
        long second = pipe("bob", new BucketCreated("photos", T0.plusSeconds(60)));

        assertEquals(Optional.empty(), rejection(first));
        assertEquals(Optional.of(Rejection.BUCKET_EXISTS), rejection(second));
        assertEquals(new Bucket("photos", T0, "alice"), buckets.get("photos"),
                "the duplicate changes neither the owner nor the creation time");
        assertEquals(second, progress.appliedOffset(0));
    }

    @Test
    void deleteMissingBucketIsRejected() throws Exception {
        assertEquals(Optional.of(Rejection.NO_SUCH_BUCKET), rejection(pipe(new BucketDeleted("nope"))));
    }

    @Test
    void deleteEmptyBucket() throws Exception {
        pipe(new BucketCreated("b", T0));
        long del = pipe(new BucketDeleted("b"));
        assertEquals(Optional.empty(), rejection(del));
        assertNull(buckets.get("b"));
        // and it can be created again
        assertEquals(Optional.empty(), rejection(pipe(new BucketCreated("b", T0))));
    }

    @Test
    void deleteNonEmptyBucketIsRejectedAndKeepsEverything() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new ObjectPut(object("b", "k", "v1", "x1")));
        long del = pipe(new BucketDeleted("b"));
        assertEquals(Optional.of(Rejection.BUCKET_NOT_EMPTY), rejection(del));
        assertNotNull(buckets.get("b"));
        assertNotNull(objects.get(Keys.object("b", "k")));
        assertEquals(1L, refs.get(TestBlocks.id("x1").hex()));
    }

    @Test
    void objectsOfAnotherBucketWhoseNameExtendsThisOneDoNotMakeItNonEmpty() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new BucketCreated("b-2", T0));
        pipe(new ObjectPut(object("b-2", "k", "v1", "x1")));
        assertEquals(Optional.empty(), rejection(pipe(new BucketDeleted("b"))));
        assertNull(buckets.get("b"));
        assertNotNull(objects.get(Keys.object("b-2", "k")));
    }

    @Test
    void deleteBucketWithUploadInProgressDropsTheUploadAndItsRefs() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new BucketCreated("other", T0));
        pipe(new MultipartUploadCreated(upload("b", "big", "u1")));
        pipe(new PartUploaded("b", "big", "u1", part(1, "p1a", "p1b")));
        pipe(new PartUploaded("b", "big", "u1", part(2, "p2a")));
        // an upload in another bucket, sharing a block, must survive
        pipe(new MultipartUploadCreated(upload("other", "big", "u2")));
        pipe(new PartUploaded("other", "big", "u2", part(1, "p1a")));
        assertEquals(2L, refs.get(TestBlocks.id("p1a").hex()));

        long del = pipe(new BucketDeleted("b"));

        assertEquals(Optional.empty(), rejection(del));
        assertNull(buckets.get("b"));
        assertNull(uploads.get(Keys.upload("b", "big", "u1")));
        assertNull(parts.get(Keys.part("u1", 1)));
        assertNull(parts.get(Keys.part("u1", 2)));
        assertEquals(1L, refs.get(TestBlocks.id("p1a").hex()), "still referenced by the other bucket's upload");
        assertNull(refs.get(TestBlocks.id("p1b").hex()));
        assertNull(refs.get(TestBlocks.id("p2a").hex()));
        assertNotNull(uploads.get(Keys.upload("other", "big", "u2")));
        assertNotNull(parts.get(Keys.part("u2", 1)));
    }

    // ---- objects ------------------------------------------------------------------------------

    @Test
    void putIntoMissingBucketIsRejectedWithoutRefs() throws Exception {
        long off = pipe(new ObjectPut(object("ghost", "k", "v1", "x1", "x2")));
        assertEquals(Optional.of(Rejection.NO_SUCH_BUCKET), rejection(off));
        assertNull(objects.get(Keys.object("ghost", "k")));
        assertEquals(Map.of(), allRefs());
    }

    @Test
    void aMalformedEventIsRefusedAndTheViewsGoOn() throws Exception {
        pipe(new BucketCreated("b", T0));
        // No block list at all: the fold cannot apply it, and must not be wedged by it either.
        ObjectVersion broken = new ObjectVersion("b", "broken", "v0", 0, "\"e\"", T0, null, null, null, null, null, null);
        long off = pipe(new ObjectPut(broken));
        assertEquals(Optional.of(Rejection.INVALID_EVENT), rejection(off));
        assertNull(objects.get(Keys.object("b", "broken")));
        long next = pipe(new ObjectPut(object("b", "fine", "v1", "x1")));
        assertEquals(Optional.empty(), rejection(next));
        assertNotNull(objects.get(Keys.object("b", "fine")));
    }

    @Test
    void putCountsEachBlockAndTheSameBlockTwiceCountsTwo() throws Exception {
        pipe(new BucketCreated("b", T0));
        ObjectVersion o = object("b", "k", "v1", "x1", "x2", "x1");
        assertEquals(Optional.empty(), rejection(pipe(new ObjectPut(o))));
        assertEquals(o, objects.get(Keys.object("b", "k")));
        assertEquals(Map.of("x1", 2L, "x2", 1L), allRefs());
    }

    @Test
    void overwriteMovesRefsFromTheOldBlocksToTheNew() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new ObjectPut(object("b", "k", "v1", "shared", "old")));
        pipe(new ObjectPut(object("b", "other", "w1", "shared")));
        assertEquals(Map.of("shared", 2L, "old", 1L), allRefs());

        ObjectVersion v2 = object("b", "k", "v2", "shared", "new", "new");
        pipe(new ObjectPut(v2));

        assertEquals(v2, objects.get(Keys.object("b", "k")));
        assertEquals(Map.of("shared", 2L, "new", 2L), allRefs());
    }

    @Test
    void replayOfTheSamePutDoesNotDoubleCount() throws Exception {
        pipe(new BucketCreated("b", T0));
        ObjectVersion o = object("b", "k", "v1", "x1", "x2");
        pipe(new ObjectPut(o));
        long replay = pipe(new ObjectPut(o));
        assertEquals(Optional.empty(), rejection(replay));
        assertEquals(Map.of("x1", 1L, "x2", 1L), allRefs());
        assertEquals(o, objects.get(Keys.object("b", "k")));
    }

    @Test
    void deleteDropsRefs() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new ObjectPut(object("b", "k", "v1", "x1", "x2")));
        pipe(new ObjectPut(object("b", "k2", "v1", "x2")));
        long del = pipe(new ObjectDeleted("b", "k"));
        assertEquals(Optional.empty(), rejection(del));
        assertNull(objects.get(Keys.object("b", "k")));
        assertEquals(Map.of("x2", 1L), allRefs());
        // deleting a missing key is a no-op, not a rejection
        assertEquals(Optional.empty(), rejection(pipe(new ObjectDeleted("b", "k"))));
        assertEquals(Map.of("x2", 1L), allRefs());
    }

    @Test
    void bucketStatsFollowPutsOverwritesAndDeletesAndAQuotaRefusesWhatWouldPassIt() throws Exception {
        KeyValueStore<String, org.blockcloset.ledger.model.BucketStats> stats = driver.getKeyValueStore(StoreNames.BUCKET_STATS);
        pipe(new BucketCreated("b", T0));
        pipe(new ObjectPut(object("b", "k1", "v1", "x1", "x2")));
        pipe(new ObjectPut(object("b", "k2", "v1", "x3")));
        assertEquals(new org.blockcloset.ledger.model.BucketStats(2, 3 * 1024), stats.get("b"));
        pipe(new ObjectPut(object("b", "k1", "v2", "x4"))); // overwrite: one block smaller
        assertEquals(new org.blockcloset.ledger.model.BucketStats(2, 2 * 1024), stats.get("b"));

        assertEquals(Optional.empty(), rejection(pipe(new org.blockcloset.ledger.event.BucketQuotaChanged("b", 3 * 1024L, 2L))));
        assertEquals(Optional.of(Rejection.QUOTA_EXCEEDED), rejection(pipe(new ObjectPut(object("b", "k3", "v1", "x5")))),
                "a third object");
        assertEquals(Optional.of(Rejection.QUOTA_EXCEEDED), rejection(pipe(new ObjectPut(object("b", "k2", "v2", "x5", "x6", "x7")))),
                "an overwrite that grows past the bytes");
        assertEquals(Optional.empty(), rejection(pipe(new ObjectPut(object("b", "k2", "v3", "x5", "x6")))), "within the bytes");
        assertNull(objects.get(Keys.object("b", "k3")));
        assertEquals(new org.blockcloset.ledger.model.BucketStats(2, 3 * 1024), stats.get("b"));
        assertEquals(Map.of("x4", 1L, "x5", 1L, "x6", 1L), allRefs(), "refused writes reference nothing");

        pipe(new ObjectDeleted("b", "k1"));
        assertEquals(new org.blockcloset.ledger.model.BucketStats(1, 2 * 1024), stats.get("b"));
        assertEquals(Optional.empty(), rejection(pipe(new ObjectPut(object("b", "k3", "v1", "x8")))), "room again");
        assertEquals(3 * 1024L, buckets.get("b").quotaBytes());
    }

    @Test
    void pendingPartsAreCountedUntilTheirUploadCompletesOrIsAbortedAndRefuseNothingInTheFold() throws Exception {
        KeyValueStore<String, org.blockcloset.ledger.model.BucketStats> stats = driver.getKeyValueStore(StoreNames.BUCKET_STATS);
        pipe(new BucketCreated("b", T0));
        pipe(new org.blockcloset.ledger.event.BucketQuotaChanged("b", 3 * 1024L, null));
        pipe(new MultipartUploadCreated(upload("b", "k", "u1")));
        pipe(new org.blockcloset.ledger.event.PartUploaded("b", "k", "u1", part(1, "p1", "p2")));
        assertEquals(new org.blockcloset.ledger.model.BucketStats(0, 0, 2 * 1024), stats.get("b"));
        // The fold's rules stay those every event in the log was folded with: the gateway weighs
        // pending parts before it takes a part; the fold only counts.
        assertEquals(Optional.empty(), rejection(pipe(new org.blockcloset.ledger.event.PartUploaded("b", "k", "u1", part(2, "p3", "p4")))));
        assertEquals(Optional.empty(), rejection(pipe(new org.blockcloset.ledger.event.PartUploaded("b", "k", "u1", part(2, "p3")))),
                "a part uploaded again replaces the earlier one");
        assertEquals(new org.blockcloset.ledger.model.BucketStats(0, 0, 3 * 1024), stats.get("b"));
        pipe(new org.blockcloset.ledger.event.MultipartUploadAborted("b", "k", "u1"));
        assertEquals(new org.blockcloset.ledger.model.BucketStats(0, 0, 0), stats.get("b"));
        pipe(new MultipartUploadCreated(upload("b", "k", "u2")));
        pipe(new org.blockcloset.ledger.event.PartUploaded("b", "k", "u2", part(1, "p5")));
        pipe(new MultipartUploadCompleted("u2", object("b", "k", "v1", "p5")));
        assertEquals(new org.blockcloset.ledger.model.BucketStats(1, 1024, 0), stats.get("b"), "the object takes the parts' place");
    }

    // ---- versioning and object lock -----------------------------------------------------------

    @Test
    void versionedKeysKeepEveryVersionAndTheLogOrderDecidesTheCurrentOne() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new ObjectPut(object("b", "k", "v0", "x0")));
        pipe(new org.blockcloset.ledger.event.BucketVersioningChanged("b", Bucket.ENABLED));
        long put1 = pipe(new ObjectPut(object("b", "k", "v1", "x1")));
        long put2 = pipe(new ObjectPut(object("b", "k", "v2", "x2")));
        Views v = new Views(name -> driver.getKeyValueStore(name), progress);
        assertEquals("v2", objects.get(Keys.object("b", "k")).versionId(), "the last put in log order is current");
        assertEquals(ViewFold.suffix(put2), objects.get(Keys.object("b", "k")).s3VersionId());
        assertEquals(Map.of("x0", 1L, "x1", 1L, "x2", 1L), allRefs(), "old versions keep their blocks");
        assertEquals("v0", v.version("b", "k", "null").orElseThrow().versionId(), "the object before versioning is the null version");
        assertEquals(List.of("v2", "v1", "v0"), v.listVersions("b", "", null, null, null, 10).versions().stream()
                .map(e -> e.version().etag().replaceAll("\"etag-|\"", "")).toList(), "newest first");

        long del = pipe(new ObjectDeleted("b", "k"));
        assertNull(objects.get(Keys.object("b", "k")), "a delete marker hides the key");
        assertTrue(v.latestVersion("b", "k").orElseThrow().marksDeletion());
        assertEquals(ViewFold.suffix(del), v.latestVersion("b", "k").orElseThrow().s3VersionId());
        assertEquals(3, allRefs().size(), "a delete marker frees nothing");
        assertEquals(Optional.of(Rejection.BUCKET_NOT_EMPTY), rejection(pipe(new BucketDeleted("b"))));

        pipe(new ObjectDeleted("b", "k", ViewFold.suffix(del), null));
        assertEquals("v2", objects.get(Keys.object("b", "k")).versionId(), "removing the marker restores the version under it");
        pipe(new ObjectDeleted("b", "k", ViewFold.suffix(put2), null));
        assertEquals("v1", objects.get(Keys.object("b", "k")).versionId(), "removing the current version restores the previous one");
        assertEquals(Map.of("x0", 1L, "x1", 1L), allRefs(), "a version removed for good frees its blocks");
        assertEquals(ViewFold.suffix(put1), v.listVersions("b", "", null, null, null, 1).nextVersionIdMarker());
        assertEquals(List.of("null"), v.listVersions("b", "", null, "k", ViewFold.suffix(put1), 10).versions().stream()
                .map(e -> e.version().s3VersionIdOrNull()).toList(), "paging resumes after the version id marker");

        pipe(new org.blockcloset.ledger.event.BucketVersioningChanged("b", Bucket.SUSPENDED));
        pipe(new ObjectPut(object("b", "k", "v3", "x3")));
        assertEquals(Map.of("x1", 1L, "x3", 1L), allRefs(), "a put while suspended replaces the null version");
        assertNull(objects.get(Keys.object("b", "k")).s3VersionId());
    }

    @Test
    void aDeleteThatNamesTheWriteItJudgedLeavesANewerWriteAlone() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new ObjectPut(object("b", "k", "v1", "x1")));
        pipe(new ObjectPut(object("b", "k", "v2", "x2")));
        assertEquals(Optional.of(Rejection.PRECONDITION_FAILED), rejection(pipe(new ObjectDeleted("b", "k", null, null, "v1"))),
                "overwritten since it was judged");
        assertEquals("v2", objects.get(Keys.object("b", "k")).versionId());
        assertEquals(Optional.empty(), rejection(pipe(new ObjectDeleted("b", "k", null, null, "v2"))));
        assertEquals(Optional.of(Rejection.PRECONDITION_FAILED), rejection(pipe(new ObjectDeleted("b", "k", null, null, "v2"))),
                "a second expiry of the same write changes nothing");

        // A version named "null" is another write once a put replaced it while versioning was suspended.
        pipe(new org.blockcloset.ledger.event.BucketVersioningChanged("b", Bucket.SUSPENDED));
        pipe(new ObjectPut(object("b", "n", "judged", "x7")));
        pipe(new ObjectPut(object("b", "n", "newer", "x8")));
        assertEquals(Optional.of(Rejection.PRECONDITION_FAILED), rejection(pipe(new ObjectDeleted("b", "n", "null", null, "judged"))));
        assertEquals("newer", objects.get(Keys.object("b", "n")).versionId(), "the acknowledged newer write stays");
        assertEquals(Optional.empty(), rejection(pipe(new ObjectDeleted("b", "n", "null", null, "newer"))));
    }

    @Test
    void lockedVersionsCannotBeRemovedOrWeakened() throws Exception {
        pipe(new BucketCreated("vault", T0, true, null));
        assertEquals(Optional.of(Rejection.INVALID_BUCKET_STATE),
                rejection(pipe(new org.blockcloset.ledger.event.BucketVersioningChanged("vault", Bucket.SUSPENDED))));
        pipe(new org.blockcloset.ledger.event.BucketObjectLockChanged("vault", new Bucket.DefaultRetention("COMPLIANCE", 1, null)));
        long put = pipe(new ObjectPut(object("vault", "k", "v1", "x1")));
        String id = ViewFold.suffix(put);
        ObjectVersion o = objects.get(Keys.object("vault", "k"));
        assertEquals("COMPLIANCE", o.lockMode(), "the bucket's default retention applies");
        assertEquals(T0.plus(java.time.Duration.ofDays(1)), o.retainUntil());
        assertEquals(Optional.of(Rejection.OBJECT_LOCKED), rejection(pipe(new ObjectDeleted("vault", "k", id, true))),
                "compliance: not even with the bypass");
        assertEquals(Optional.of(Rejection.OBJECT_LOCKED), rejection(pipe(new org.blockcloset.ledger.event.ObjectLockChanged(
                "vault", "k", id, "GOVERNANCE", T0.plus(java.time.Duration.ofDays(2)), null, true))), "compliance cannot be weakened");
        assertEquals(Optional.of(Rejection.INVALID_EVENT), rejection(pipe(new org.blockcloset.ledger.event.ObjectLockChanged(
                "vault", "k", id, "COMPLIANCE", null, null, null))), "a retention without its end would clear it");
        assertEquals(Optional.empty(), rejection(pipe(new ObjectDeleted("vault", "k"))), "a delete marker is always allowed");
        assertEquals(Optional.empty(), rejection(pipeAt(T0.plus(java.time.Duration.ofDays(2)), new ObjectDeleted("vault", "k", id, null))),
                "retention over: the version may go");
        assertEquals(Map.of(), allRefs());

        long put2 = pipe(new ObjectPut(object("vault", "g", "v1", "x1").withLock("GOVERNANCE", T0.plus(java.time.Duration.ofDays(9)), true)));
        String g = ViewFold.suffix(put2);
        assertEquals(Optional.of(Rejection.OBJECT_LOCKED), rejection(pipe(new ObjectDeleted("vault", "g", g, true))), "legal hold wins");
        pipe(new org.blockcloset.ledger.event.ObjectLockChanged("vault", "g", g, null, null, false, null));
        assertEquals(Optional.of(Rejection.OBJECT_LOCKED), rejection(pipe(new ObjectDeleted("vault", "g", g, null))));
        assertEquals(Optional.empty(), rejection(pipe(new ObjectDeleted("vault", "g", g, true))), "governance yields to the bypass");
    }

    /**
     * Two clocks say when an event happened, the appending gateway's (the envelope) and the log
     * leader's (the record's append time); retention holds until both say it is over, so neither a
     * gateway nor a leader whose clock runs ahead ends a COMPLIANCE retention early (issue 16), and
     * no event is refused for a clock being off (one bad clock must not stop every write).
     */
    @Test
    void retentionHoldsUntilBothClocksSayItIsOver() throws Exception {
        pipe(new BucketCreated("vault", T0, true, null));
        long put = pipe(new ObjectPut(object("vault", "k", "v1", "x1").withLock("COMPLIANCE", T0.plus(java.time.Duration.ofMinutes(10)), null)));
        String id = ViewFold.suffix(put);
        Instant after = T0.plus(java.time.Duration.ofMinutes(11));
        Instant before = T0.plusSeconds(5);
        assertEquals(Optional.of(Rejection.OBJECT_LOCKED), rejection(pipe("tester", after, before, new ObjectDeleted("vault", "k", id, null))),
                "a gateway clock past the retention does not end it");
        assertEquals(Optional.of(Rejection.OBJECT_LOCKED), rejection(pipe("tester", before, after, new ObjectDeleted("vault", "k", id, null))),
                "nor does a leader's clock past it");
        assertEquals(Optional.of(Rejection.OBJECT_LOCKED), rejection(pipe("tester", after, before,
                new org.blockcloset.ledger.event.ObjectLockChanged("vault", "k", id, "", null, null, null))),
                "nor lets the retention be cleared");
        Instant days = T0.plus(java.time.Duration.ofDays(3));
        assertEquals(Optional.empty(), rejection(pipe("tester", days, T0.plusSeconds(60), new BucketCreated("other", days))),
                "a clock days off refuses nothing");
        assertEquals(Optional.empty(), rejection(pipe("tester", T0.plus(java.time.Duration.ofMinutes(12)), after,
                new ObjectDeleted("vault", "k", id, null))), "both clocks past the retention: the version may go");
        assertNull(objects.get(Keys.object("vault", "k")));
    }

    @Test
    void aReplayFoldsTheLogLikeTheViewsDo() throws Exception {
        Replay replay = new Replay();
        List<Event> events = List.of(new BucketCreated("b", T0), new ObjectPut(object("b", "k1", "v1", "x1")),
                new ObjectPut(object("b", "dir/k2", "v1", "x2", "x3")), new BucketCreated("b", T0),
                new ObjectDeleted("b", "k1"), new ObjectPut(object("nope", "k", "v1", "x9")));
        List<Optional<Rejection>> live = new java.util.ArrayList<>();
        List<Optional<Rejection>> replayed = new java.util.ArrayList<>();
        for (Event e : events) {
            live.add(rejection(pipe(e)));
            replayed.add(Optional.ofNullable(replay.apply(new LoggedEvent(LoggedEvent.CURRENT_VERSION, "id", "tester", "r", T0, e, null), replay.events())));
        }
        assertEquals(live, replayed, "the same events refused for the same reasons");
        assertEquals(Optional.of(Rejection.BUCKET_EXISTS), replayed.get(3));
        Views v = replay.views();
        assertEquals(List.of("dir/"), v.list("b", "", "/", null, 100).commonPrefixes());
        assertTrue(v.list("b", "", "/", null, 100).contents().isEmpty());
        assertEquals(objects.get(Keys.object("b", "dir/k2")), v.object("b", "dir/k2").orElseThrow());
        assertEquals(new org.blockcloset.ledger.model.BucketStats(1, 2048), v.bucketStats("b"));
        assertEquals(6, replay.events());
    }

    // ---- multipart ----------------------------------------------------------------------------

    @Test
    void uploadIntoMissingBucketAndPartOfMissingUploadAreRejected() throws Exception {
        assertEquals(Optional.of(Rejection.NO_SUCH_BUCKET),
                rejection(pipe(new MultipartUploadCreated(upload("ghost", "k", "u1")))));
        pipe(new BucketCreated("b", T0));
        assertEquals(Optional.of(Rejection.NO_SUCH_UPLOAD),
                rejection(pipe(new PartUploaded("b", "k", "u1", part(1, "p")))));
        assertEquals(Optional.of(Rejection.NO_SUCH_UPLOAD),
                rejection(pipe(new MultipartUploadAborted("b", "k", "u1"))));
        assertEquals(Optional.of(Rejection.NO_SUCH_UPLOAD),
                rejection(pipe(new MultipartUploadCompleted("u1", object("b", "k", "v1", "p")))));
        assertEquals(Map.of(), allRefs());
        assertNull(objects.get(Keys.object("b", "k")));
    }

    @Test
    void partsAddRefsAndReplacingAPartNumberSwapsThem() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new MultipartUploadCreated(upload("b", "k", "u1")));
        pipe(new PartUploaded("b", "k", "u1", part(1, "a1", "a2")));
        pipe(new PartUploaded("b", "k", "u1", part(2, "b1")));
        assertEquals(Map.of("a1", 1L, "a2", 1L, "b1", 1L), allRefs());

        Part replacement = part(1, "c1", "a2");
        pipe(new PartUploaded("b", "k", "u1", replacement));

        assertEquals(replacement, parts.get(Keys.part("u1", 1)));
        assertEquals(Map.of("c1", 1L, "a2", 1L, "b1", 1L), allRefs());
    }

    @Test
    void completeWithASubsetOfPartsKeepsOnlyTheObjectsRefs() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new ObjectPut(object("b", "k", "v0", "prev")));
        pipe(new MultipartUploadCreated(upload("b", "k", "u1")));
        pipe(new PartUploaded("b", "k", "u1", part(1, "a1", "a2")));
        pipe(new PartUploaded("b", "k", "u1", part(2, "b1")));
        pipe(new PartUploaded("b", "k", "u1", part(3, "c1")));
        // a second upload of the same key stays untouched
        pipe(new MultipartUploadCreated(upload("b", "k", "u2")));
        pipe(new PartUploaded("b", "k", "u2", part(1, "a1")));
        assertEquals(2L, refs.get(TestBlocks.id("a1").hex()));

        ObjectVersion done = object("b", "k", "v1", "a1", "a2", "c1");
        long off = pipe(new MultipartUploadCompleted("u1", done));

        assertEquals(Optional.empty(), rejection(off));
        assertEquals(done, objects.get(Keys.object("b", "k")));
        assertEquals(Map.of("a1", 2L, "a2", 1L, "c1", 1L), allRefs(),
                "object refs + u2's part; part 2 and the overwritten version lost theirs");
        assertNull(uploads.get(Keys.upload("b", "k", "u1")));
        for (int n = 1; n <= 3; n++) {
            assertNull(parts.get(Keys.part("u1", n)), "part " + n);
        }
        assertNotNull(uploads.get(Keys.upload("b", "k", "u2")));
        assertNotNull(parts.get(Keys.part("u2", 1)));
        // completing again: the upload is gone
        assertEquals(Optional.of(Rejection.NO_SUCH_UPLOAD),
                rejection(pipe(new MultipartUploadCompleted("u1", object("b", "k", "v2", "a1")))));
        assertEquals(done, objects.get(Keys.object("b", "k")));
    }

    @Test
    void abortDropsPartsAndRefs() throws Exception {
        pipe(new BucketCreated("b", T0));
        pipe(new ObjectPut(object("b", "k", "v0", "a1")));
        pipe(new MultipartUploadCreated(upload("b", "k", "u1")));
        pipe(new PartUploaded("b", "k", "u1", part(1, "a1", "a2")));
        pipe(new PartUploaded("b", "k", "u1", part(10000, "z")));
        long off = pipe(new MultipartUploadAborted("b", "k", "u1"));
        assertEquals(Optional.empty(), rejection(off));
        assertNull(uploads.get(Keys.upload("b", "k", "u1")));
        assertNull(parts.get(Keys.part("u1", 1)));
        assertNull(parts.get(Keys.part("u1", 10000)));
        assertEquals(Map.of("a1", 1L), allRefs(), "only the object's reference is left");
    }

    // ---- access keys --------------------------------------------------------------------------

    @Test
    void aClearSecretIsRefusedOnceTheLogHoldsSealedOnesAndEveryBucketIsNeverOwner() throws Exception {
        assertEquals(Optional.empty(), rejection(pipe(new AccessKeyCreated("OLD", null, "before sealing", true, T0, "clear"))),
                "a log from before sealing replays as it was");
        assertEquals(Optional.empty(), rejection(pipe(new AccessKeyCreated("NEW", "v1.sealed", "d", false, T0, null, Map.of()))));
        assertEquals(Optional.of(Rejection.INVALID_EVENT),
                rejection(pipe(new AccessKeyCreated("FORGED", null, "chosen secret", true, T0, "attacker-chosen"))));
        assertNull(accessKeys.get("FORGED"), "no key with a secret someone chose");
        assertEquals(Optional.of(Rejection.INVALID_EVENT),
                rejection(pipe(new AccessKeyCreated("ALL", "v1.s", "d", false, T0, null, Map.of(AccessKey.EVERY_BUCKET, "owner")))));
        assertEquals(Optional.of(Rejection.INVALID_EVENT), rejection(pipe(
                new org.blockcloset.ledger.event.AccessKeyPermissionsChanged("NEW", Map.of(AccessKey.EVERY_BUCKET, "owner")))));
        assertEquals(Map.of(), accessKeys.get("NEW").buckets());
    }

    @Test
    void accessKeyCreateDuplicateAndRevoke() throws Exception {
        long created = pipe(new AccessKeyCreated("AK1", "sealed", "ci", true, T0, null));
        assertEquals(Optional.empty(), rejection(created));
        assertEquals(new AccessKey("AK1", "sealed", "ci", true, T0, null, null), accessKeys.get("AK1"));
        assertTrue(accessKeys.get("AK1").active());

        assertEquals(Optional.of(Rejection.ACCESS_KEY_EXISTS),
                rejection(pipe(new AccessKeyCreated("AK1", "other", "x", false, T0, null))));
        assertEquals("sealed", accessKeys.get("AK1").sealedSecret());

        Instant revokedAt = T0.plusSeconds(3600);
        long revoked = pipeAt(revokedAt, new AccessKeyRevoked("AK1"));
        assertEquals(Optional.empty(), rejection(revoked));
        AccessKey k = accessKeys.get("AK1");
        assertFalse(k.active());
        assertEquals(revokedAt, k.revoked());
        assertEquals("sealed", k.sealedSecret(), "kept for the audit trail");

        // a second revoke keeps the first time
        pipeAt(revokedAt.plusSeconds(5), new AccessKeyRevoked("AK1"));
        assertEquals(revokedAt, accessKeys.get("AK1").revoked());

        assertEquals(Optional.of(Rejection.NO_SUCH_ACCESS_KEY), rejection(pipe(new AccessKeyRevoked("AK404"))));
    }

    // ---- helpers ------------------------------------------------------------------------------

    @Test
    void aBucketsReplicationFactorIsSetAndReset() throws Exception {
        assertEquals(Optional.of(Rejection.NO_SUCH_BUCKET), rejection(pipe(new BucketReplicationChanged("nope", 2))));
        pipe("alice", new BucketCreated("photos", T0));
        assertEquals(Optional.empty(), rejection(pipe(new BucketReplicationChanged("photos", 2))));
        assertEquals(new Bucket("photos", T0, "alice", 2), buckets.get("photos"));
        assertEquals(Optional.of(Rejection.INVALID_EVENT), rejection(pipe(new BucketReplicationChanged("photos", 5))));
        assertEquals(2, buckets.get("photos").replication());
        assertEquals(Optional.empty(), rejection(pipe(new BucketReplicationChanged("photos", null))));
        assertEquals(new Bucket("photos", T0, "alice"), buckets.get("photos"), "back to the cluster's default");
    }

    // ---- membership, layout, join tokens -----------------------------------------------------

    private static final NodeAddress ADDR = new NodeAddress("127.0.0.2", 9000, 9001, 9002, 19092, 19093);

    private static NodeJoined joined(String node, int kraftId, String token) {
        return new NodeJoined(node, kraftId, ADDR, Set.of(ClusterNode.STORAGE, ClusterNode.GATEWAY), "", 1000, token);
    }

    @Test
    void theFirstNodeJoinsWithoutATokenOthersNeedAValidOne() throws Exception {
        KeyValueStore<String, ClusterNode> members = driver.getKeyValueStore(StoreNames.MEMBERS);
        assertEquals(Optional.empty(), rejection(pipe(joined("n1", 1, null))));
        assertEquals(Optional.empty(), rejection(pipe(joined("n1", 1, null))), "a retried join is a no-op");
        assertEquals(Optional.of(Rejection.INVALID_JOIN_TOKEN), rejection(pipe(joined("n2", 2, null))));
        assertEquals(Optional.of(Rejection.INVALID_JOIN_TOKEN), rejection(pipe(joined("n2", 2, "no-such-token"))));

        pipeAt(T0, new JoinTokenCreated("t1", "hash", T0.plusSeconds(600)));
        assertEquals(Optional.of(Rejection.NODE_EXISTS), rejection(pipeAt(T0.plusSeconds(1), joined("n2", 1, "t1"))),
                "a KRaft id already taken");
        assertEquals(Optional.empty(), rejection(pipeAt(T0.plusSeconds(2), joined("n2", 2, "t1"))));
        assertEquals(Optional.of(Rejection.INVALID_JOIN_TOKEN), rejection(pipeAt(T0.plusSeconds(3), joined("n3", 3, "t1"))),
                "single use");
        pipeAt(T0, new JoinTokenCreated("t2", "hash", T0.plusSeconds(600)));
        assertEquals(Optional.of(Rejection.INVALID_JOIN_TOKEN), rejection(pipeAt(T0.plusSeconds(601), joined("n3", 3, "t2"))),
                "expired");
        pipeAt(T0, new JoinTokenCreated("t3", "hash", T0.plusSeconds(600)));
        assertEquals(Optional.empty(), rejection(pipeAt(T0.plusSeconds(4), new org.blockcloset.ledger.event.JoinTokenRevoked("t3"))));
        assertEquals(Optional.of(Rejection.INVALID_JOIN_TOKEN), rejection(pipeAt(T0.plusSeconds(5), joined("n3", 3, "t3"))),
                "revoked");
        assertEquals(Optional.of(Rejection.INVALID_JOIN_TOKEN),
                rejection(pipe(new org.blockcloset.ledger.event.JoinTokenRevoked("no-such-token"))));
        assertEquals(2, members.approximateNumEntries());
        assertEquals("n2", driver.<String, JoinToken>getKeyValueStore(StoreNames.JOIN_TOKENS).get("t1").usedBy());

        assertEquals(Optional.empty(), rejection(pipe(new NodeCapacityChanged("n2", 5000, "attic", null))));
        assertEquals(5000, members.get("n2").capacity());
        assertEquals("attic", members.get("n2").zone());
        assertEquals(ADDR, members.get("n2").address());
        assertEquals(Optional.empty(), rejection(pipe(new NodeRemoved("n2"))));
        assertEquals(Optional.of(Rejection.NO_SUCH_NODE), rejection(pipe(new NodeRemoved("n2"))));
        assertEquals(Optional.of(Rejection.NO_SUCH_NODE), rejection(pipe(new NodeCapacityChanged("n2", 1, null, null))));
    }

    /** A signed admin call is accepted once by the whole cluster; its record goes once no signature of its date is valid. */
    @Test
    void anAdminCallsSignatureIsAcceptedOnce() throws Exception {
        KeyValueStore<String, String> calls = driver.getKeyValueStore(StoreNames.ADMIN_CALLS);
        String sig = "a".repeat(64);
        org.blockcloset.ledger.event.AdminCallAccepted call =
                new org.blockcloset.ledger.event.AdminCallAccepted("POST", "/api/keys", "20240102T030405Z", sig);
        assertEquals(Optional.empty(), rejection(pipeAt(T0, call)));
        assertEquals(Optional.of(Rejection.REPLAYED), rejection(pipeAt(T0.plusSeconds(1), call)), "the same signature again");
        assertEquals(Optional.empty(), rejection(pipeAt(T0.plusSeconds(2),
                new org.blockcloset.ledger.event.AdminCallAccepted("POST", "/api/keys", "20240102T030405Z", "b".repeat(64)))),
                "another signature of the same second");
        assertEquals(Optional.of(Rejection.INVALID_EVENT), rejection(pipeAt(T0,
                new org.blockcloset.ledger.event.AdminCallAccepted("POST", "/api/keys", "yesterday", sig))));
        assertEquals(Optional.of(Rejection.INVALID_EVENT), rejection(pipeAt(T0,
                new org.blockcloset.ledger.event.AdminCallAccepted("POST", "/api/keys", "20240102T030405Z", "not-a-hash"))));
        assertEquals(2, calls.approximateNumEntries());
        // Past the window the first two are forgotten (their signatures are refused by their date by then).
        assertEquals(Optional.empty(), rejection(pipeAt(T0.plus(StoreNames.ADMIN_CALLS_KEPT).plusSeconds(1),
                new org.blockcloset.ledger.event.AdminCallAccepted("DELETE", "/api/keys/x", "20240102T040406Z", sig))));
        assertEquals(1, calls.approximateNumEntries());
        assertNotNull(calls.get("20240102T040406Z/" + sig));
        assertEquals(Optional.of(Rejection.REPLAYED), rejection(pipeAt(T0.plus(StoreNames.ADMIN_CALLS_KEPT).plusSeconds(2),
                new org.blockcloset.ledger.event.AdminCallAccepted("POST", "/api/keys", "20240102T030405Z", "c".repeat(64)))),
                "a signature older than what is remembered (a node with a slow clock let it in) is refused");
    }

    @Test
    void layoutsApplyInVersionOrderOnly() throws Exception {
        KeyValueStore<String, Layout> layout = driver.getKeyValueStore(StoreNames.LAYOUT);
        Layout v1 = LayoutPlanner.plan(List.of(new LayoutPlanner.Member("n1", "", 1000)), 1, Layout.EMPTY);
        Layout v2 = LayoutPlanner.plan(List.of(new LayoutPlanner.Member("n1", "", 1000), new LayoutPlanner.Member("n2", "", 1000)), 2, v1);
        Layout otherV2 = LayoutPlanner.plan(List.of(new LayoutPlanner.Member("n1", "", 2000)), 1, v1);
        assertEquals(Optional.of(Rejection.STALE_LAYOUT), rejection(pipe(new LayoutChanged(v2))), "skips a version");
        assertEquals(Optional.empty(), rejection(pipe(new LayoutChanged(v1))));
        assertEquals(Optional.empty(), rejection(pipe(new LayoutChanged(v2))));
        assertEquals(Optional.of(Rejection.STALE_LAYOUT), rejection(pipe(new LayoutChanged(otherV2))),
                "planned concurrently from v1: the first one in the log wins");
        assertEquals(v2, layout.get(StoreNames.CURRENT));
    }

    private long pipe(Event e) {
        return pipe("tester", e);
    }

    private long pipe(String actor, Event e) {
        return pipe(actor, T0, e);
    }

    private long pipeAt(Instant time, Event e) {
        return pipe("tester", time, e);
    }

    private long pipe(String actor, Instant time, Event e) {
        return pipe(actor, time, time, e);
    }

    /** An event whose envelope says {@code time}, appended by the log at {@code appended}. */
    private long pipe(String actor, Instant time, Instant appended, Event e) {
        LoggedEvent logged = new LoggedEvent(LoggedEvent.CURRENT_VERSION, UUID.randomUUID().toString(), actor,
                "req-" + nextOffset, time, e, null);
        input.pipeInput(e.entityKey(), logged, appended);
        long offset = nextOffset++;
        assertEquals(offset, progress.appliedOffset(0), "the driver's offsets follow the records piped");
        return offset;
    }

    private Optional<Rejection> rejection(long offset) throws Exception {
        var f = progress.whenApplied(0, offset);
        assertTrue(f.isDone(), "offset " + offset + " applied");
        return f.get(1, TimeUnit.SECONDS);
    }

    private Map<String, Long> allRefs() {
        Map<String, Long> out = new HashMap<>();
        try (KeyValueIterator<String, Long> it = refs.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                out.put(TestBlocks.label(kv.key), kv.value);
            }
        }
        return out;
    }

    static ObjectVersion object(String bucket, String key, String versionId, String... blockIds) {
        List<BlockRef> blocks = Arrays.stream(blockIds).map(id -> new BlockRef(TestBlocks.id(id), 1024)).toList();
        return new ObjectVersion(bucket, key, versionId, 1024L * blocks.size(), "\"etag-" + versionId + "\"", T0,
                Map.of("content-type", "text/plain"), Map.of("color", "blue"), null, null, null, blocks);
    }

    private static Upload upload(String bucket, String key, String uploadId) {
        return new Upload(bucket, key, uploadId, T0, "tester", Map.of(), Map.of(), null, null);
    }

    private static Part part(int number, String... blockIds) {
        List<BlockRef> blocks = Arrays.stream(blockIds).map(id -> new BlockRef(TestBlocks.id(id), 1024)).toList();
        return new Part(number, 1024L * blocks.size(), "\"p" + number + "\"", T0, null, blocks);
    }
}
