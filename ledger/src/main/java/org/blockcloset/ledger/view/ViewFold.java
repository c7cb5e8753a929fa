package org.blockcloset.ledger.view;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.Part;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.model.Upload;

/**
 * The fold of the event log into the views, one aggregate at a time: membership
 * ({@link MembershipFold}), access keys ({@link AccessKeyFold}), a bucket's settings
 * ({@link BucketFold}), objects with their versions, uploads, block references and counts
 * ({@link ObjectFold}), and the admin calls already taken ({@link AdminCallFold}). Runs under
 * Streams' exactly-once processing, so the stores and the consumed offset move together.
 */
final class ViewFold implements Processor<String, LoggedEvent, Void, Void> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ViewFold.class);

    private final ViewProgress progress;
    private ProcessorContext<Void, Void> context;
    private MembershipFold membership;
    private AccessKeyFold accessKeys;
    private BucketFold buckets;
    private ObjectFold objects;
    private AdminCallFold adminCalls;
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
        KeyValueStore<String, Bucket> bucketStore = (KeyValueStore<String, Bucket>) s.apply(StoreNames.BUCKETS);
        objects = new ObjectFold(bucketStore, (KeyValueStore<String, byte[]>) s.apply(StoreNames.OBJECTS),
                (KeyValueStore<String, byte[]>) s.apply(StoreNames.VERSIONS), (KeyValueStore<String, Upload>) s.apply(StoreNames.UPLOADS),
                (KeyValueStore<String, Part>) s.apply(StoreNames.PARTS), (KeyValueStore<String, Long>) s.apply(StoreNames.BLOCK_REFS),
                (KeyValueStore<String, org.blockcloset.ledger.model.BucketStats>) s.apply(StoreNames.BUCKET_STATS));
        buckets = new BucketFold(bucketStore, objects::adoptNullVersions);
        accessKeys = new AccessKeyFold((KeyValueStore<String, AccessKey>) s.apply(StoreNames.ACCESS_KEYS));
        adminCalls = new AdminCallFold((KeyValueStore<String, String>) s.apply(StoreNames.ADMIN_CALLS));
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
            long offset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
            // The topic stamps each record with the time the log's leader appended it (ADR 0004).
            rejection = record.value() == null ? null : apply(record.value(), offset, java.time.Instant.ofEpochMilli(record.timestamp()));
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

    /** As {@link #apply(LoggedEvent, long, java.time.Instant)}, appended at the time its envelope says. */
    Rejection apply(LoggedEvent logged, long offset) {
        return apply(logged, offset, logged.time());
    }

    /**
     * Applies one event; {@code offset} is its place in the log, which names the versions it makes;
     * {@code appended} the time the log's leader appended it (the topic stamps it: no producer
     * chooses it). Two clocks then say when the event happened, the appending gateway's (the
     * envelope) and the leader's; the fold trusts neither alone (ADR 0004): a retention or legal
     * hold protects a version until both say it is over (the earlier of the two), and a join token
     * has expired once either says so (the later). No event is refused for a clock being off: one
     * node's wrong clock (a Raspberry Pi without a real-time clock, booted before NTP) must not stop
     * the cluster's writes. (Records appended before the log stamped them carry their producer's
     * time, the envelope's within milliseconds: folding them again decides as before.)
     */
    Rejection apply(LoggedEvent logged, long offset, java.time.Instant appended) {
        Event e = logged.event();
        java.time.Instant envelope = logged.time() == null ? appended : logged.time();
        java.time.Instant lockTime = envelope.isBefore(appended) ? envelope : appended;
        java.time.Instant expiryTime = envelope.isAfter(appended) ? envelope : appended;
        objects.countOnce();
        if (MembershipFold.handles(e)) {
            try {
                return membership.apply(logged, expiryTime);
            } finally {
                progress.membershipChanged(); // after the stores changed: a snapshot read before is stale
            }
        }
        if (e instanceof org.blockcloset.ledger.event.AdminCallAccepted a) {
            return adminCalls.apply(a, logged, expiryTime);
        }
        if (AccessKeyFold.handles(e)) {
            return accessKeys.apply(logged);
        }
        if (BucketFold.handles(e)) {
            return buckets.apply(logged);
        }
        return objects.apply(logged, offset, lockTime);
    }

    /** The 16 hex digits naming the version made at {@code offset}: newer versions sort first. */
    static String suffix(long offset) {
        return ObjectFold.suffix(offset);
    }
}
