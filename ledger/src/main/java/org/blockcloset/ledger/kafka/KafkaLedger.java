package org.blockcloset.ledger.kafka;

import org.blockcloset.ledger.codec.Json;
import org.blockcloset.ledger.model.Rejection;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.EventLog;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.trace.Trace;
import org.blockcloset.ledger.view.BoundedRocksDb;
import org.blockcloset.ledger.view.ViewProgress;
import org.blockcloset.ledger.view.ViewTopology;
import org.blockcloset.ledger.view.Views;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger on Kafka: the event log (one partition, replicated) and the views Kafka Streams folds
 * from it. {@link #appendWithOffset} returns only once the event is durable in the log (acks=all;
 * the broker fsyncs every append) and applied by the views, so the caller may answer its client:
 * every later read sees the event.
 */
public final class KafkaLedger implements Ledger {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLedger.class);
    public static final String EVENTS_TOPIC = "blockcloset.events";
    public static final String APPLICATION_ID = "blockcloset-views";
    /** Large objects list many block ids; 16 MiB leaves room for a 5 GiB object in 1 MiB blocks. */
    static final int MAX_EVENT_BYTES = 16 << 20;

    /**
     * @param applicationId     the views' Streams application id: one per node, since every node folds the
     *                          whole log into its own views ({@link #APPLICATION_ID} for a cluster's first node)
     * @param replicationFactor 1 on a single host; 3 (or the node count) in a cluster
     * @param applyTimeout      how long an append waits for the log and the views before giving up
     */
    public record Settings(KafkaConnection kafka, String applicationId, Path stateDir, short replicationFactor,
                           Duration applyTimeout, Duration startTimeout) {
    }

    private final Settings settings;
    private final KafkaProducer<String, LoggedEvent> producer;
    private final KafkaStreams streams;
    /** Only asks the events partition's end offset (the read barrier); guarded by itself. */
    private final org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> endOffsets;
    private long lastEnd = -1;
    private long lastEndAskedAt;
    private final ViewProgress progress = new ViewProgress();
    private final Views views;
    private volatile boolean ready;
    private volatile boolean referencesTrusted = true;

    private KafkaLedger(Settings settings) {
        this.settings = settings;
        this.producer = new KafkaProducer<>(producerConfig(settings), new StringSerializer(),
                Json.serde(LoggedEvent.class).serializer());
        StreamsBuilder builder = new StreamsBuilder();
        ViewTopology.build(builder, EVENTS_TOPIC, progress);
        this.streams = new KafkaStreams(builder.build(), streamsConfig(settings));
        syncProcessId(settings);
        this.views = new Views(streams, progress);
        this.endOffsets = new org.apache.kafka.clients.consumer.KafkaConsumer<>(settings.kafka().clientConfig(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    /** Creates the topics if needed, starts the views, and returns once they have caught up with the log. */
    public static KafkaLedger start(Settings settings) throws LedgerUnavailableException {
        KafkaLedger ledger;
        try (Admin admin = Admin.create(settings.kafka().clientConfig())) {
            ensureTopic(admin, settings.replicationFactor());
            ledger = new KafkaLedger(settings);
            try {
                ledger.startViews(admin);
            } catch (Exception e) {
                ledger.close(); // else the stream thread and the producer outlive the failed start
                throw e;
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new LedgerUnavailableException("the event log did not come up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted while starting", e);
        }
        return ledger;
    }

    private static void ensureTopic(Admin admin, short rf) throws ExecutionException, InterruptedException, TimeoutException {
        NewTopic topic = new NewTopic(EVENTS_TOPIC, 1, rf).configs(Map.of(
                // The log is the source of truth: it is never deleted or compacted away.
                TopicConfig.RETENTION_MS_CONFIG, "-1",
                TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_EVENT_BYTES),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, rf)),
                // fsync every append before acknowledging it (also set broker-wide; see ADR 0002).
                TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "1",
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false",
                // Each record's time is set by the broker that appends it, not by the appender: the
                // views judge retention and expiry by it (ADR 0004).
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, APPEND_TIME));
        try {
            admin.createTopics(java.util.List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            // A log made before: from now on its records carry the time they were appended too.
            org.apache.kafka.common.config.ConfigResource events =
                    new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, EVENTS_TOPIC);
            admin.incrementalAlterConfigs(Map.of(events, java.util.List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, APPEND_TIME),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static final String APPEND_TIME = "LogAppendTime";

    private void startViews(Admin admin) throws ExecutionException, InterruptedException, TimeoutException, LedgerUnavailableException {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        streams.setUncaughtExceptionHandler(e -> {
            referencesTrusted = false;
            if (causedBy(e, org.apache.kafka.common.errors.FencedInstanceIdException.class)) {
                // Another instance took this member's place: replacing the thread would only fight it.
                LOG.error("views fenced by another instance with the same member id; stopping them", e);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            // The replacement restores the stores to their last commit and re-applies the rest; until
            // the node restarts, no one may judge a block unreferenced from them.
            LOG.error("views failed; replacing the stream thread; block garbage collection is off until restart", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setGlobalStateRestoreListener(new RestoreLog());
        streams.setStateListener((now, before) -> {
            LOG.info("views {} -> {}", before, now);
            progress.membershipChanged(); // a restore replaces the stores' state without the fold
        });
        streams.start();
        long started = System.nanoTime();
        long nextCheck = started + HangingTransactions.HANGING_AFTER.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing() && streams.state() != KafkaStreams.State.CREATED) {
                throw new LedgerUnavailableException("views did not start: " + streams.state(), null);
            }
            if (System.nanoTime() > nextCheck) {
                // Still restoring: a transaction no one ends may be holding the changelogs' stable offset.
                LOG.info("views still {} after {} s; looking for transactions that hold their restore", streams.state(),
                        (System.nanoTime() - started) / 1_000_000_000L);
                try {
                    if (HangingTransactions.abortHanging(admin, settings.applicationId(),
                            org.blockcloset.ledger.view.StoreNames.ALL) > 0) {
                        referencesTrusted = false; // until the next start: no block is collected on a rolled-back count
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.warn("could not look for hanging transactions: {}", e.toString());
                }
                nextCheck = System.nanoTime() + CATCH_UP_REPORT.toNanos();
            }
            Thread.sleep(20);
        }
        TopicPartition tp = new TopicPartition(EVENTS_TOPIC, 0);
        ListOffsetsResult.ListOffsetsResultInfo end = admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                .partitionResult(tp).get(30, TimeUnit.SECONDS);
        OffsetAndMetadata committed = admin.listConsumerGroupOffsets(settings.applicationId())
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(tp);
        if (committed != null) {
            progress.seed(0, committed.offset());
        }
        CompletableFuture<?> caughtUp = progress.whenApplied(0, end.offset() - 1);
        // Say every few seconds what the start waits on: a start that never ends must leave a reason in the log.
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                caughtUp.get(Math.max(1, Math.min(left, CATCH_UP_REPORT.toNanos())), TimeUnit.NANOSECONDS);
                break;
            } catch (TimeoutException e) {
                String where = "views at offset " + progress.appliedOffset(0) + " of the log's " + end.offset()
                        + ", state " + streams.state();
                if (System.nanoTime() >= deadline) {
                    throw new LedgerUnavailableException("views did not catch up with the log: " + where, e);
                }
                LOG.info("waiting for the views to catch up with the log: {}", where);
            }
        }
        LOG.info("views caught up with the log at offset {}", end.offset());
        ready = true;
    }

    /**
     * Makes the views' process id survive a power cut. Streams keeps it in a file of the state directory
     * that it writes without fsync; after a power cut the file was empty, the views came back under a new
     * process id, so a new transactional id that could not fence the crashed one's open transaction: the
     * restore then waited for the transaction coordinator to time it out (6 s in most PowerLossIT runs,
     * for ever in about one of seven). With the same id, the new producer aborts it at once.
     */
    private static void syncProcessId(Settings s) {
        Path dir = s.stateDir().resolve(s.applicationId());
        Path file = dir.resolve(PROCESS_FILE);
        try {
            if (Files.isRegularFile(file)) {
                try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
                    c.force(true);
                }
                // The directory entries too, up to the one holding the state directory: all made at a first start.
                for (Path d : java.util.List.of(dir, s.stateDir(), s.stateDir().toAbsolutePath().getParent())) {
                    try (FileChannel c = FileChannel.open(d, StandardOpenOption.READ)) {
                        c.force(true);
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("could not sync the views' process id file {}: {}", file, e.toString());
        }
    }

    /** Streams' file holding the views' process id (StateDirectory's PROCESS_FILE_NAME). */
    private static final String PROCESS_FILE = "kafka-streams-process-metadata";

    /** How often a start still waiting for the views says where they are. */
    private static final Duration CATCH_UP_REPORT = Duration.ofSeconds(10);

    /** Logs each view's restore from its changelog: after a crash this is most of a start's time. */
    private static final class RestoreLog implements org.apache.kafka.streams.processor.StateRestoreListener {
        @Override
        public void onRestoreStart(TopicPartition tp, String store, long startingOffset, long endingOffset) {
            if (endingOffset > startingOffset) {
                LOG.info("restoring view {} from {} offsets {} to {}", store, tp, startingOffset, endingOffset);
            }
        }

        @Override
        public void onBatchRestored(TopicPartition tp, String store, long batchEndOffset, long numRestored) {
            LOG.debug("view {} restored up to offset {}", store, batchEndOffset);
        }

        @Override
        public void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
            if (totalRestored > 0) {
                LOG.info("restored view {} ({} records)", store, totalRestored);
            }
        }

        @Override
        public void onRestoreSuspended(TopicPartition tp, String store, long totalRestored) {
            LOG.info("restore of view {} suspended after {} records", store, totalRestored);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Appended appendWithOffset(String actor, String requestId, String source, Event event)
            throws RejectedException, LedgerUnavailableException {
        LoggedEvent logged = new LoggedEvent(LoggedEvent.CURRENT_VERSION, UUID.randomUUID().toString(), actor,
                requestId, Instant.now(), event, source);
        try {
            CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
            producer.send(new ProducerRecord<>(EVENTS_TOPIC, event.entityKey(), logged), (md, ex) -> {
                if (ex != null) {
                    sent.completeExceptionally(ex);
                } else {
                    sent.complete(md);
                }
            });
            long timeout = settings.applyTimeout().toNanos();
            long start = System.nanoTime();
            RecordMetadata md = sent.get(timeout, TimeUnit.NANOSECONDS);
            Trace.mark("log commit");
            Optional<Rejection> rejection = progress.whenApplied(md.partition(), md.offset())
                    .get(Math.max(1, timeout - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
            Trace.mark("view applied");
            if (rejection.isPresent()) {
                throw new RejectedException(rejection.get());
            }
            return new Appended(logged, md.partition(), md.offset());
        } catch (ExecutionException e) {
            boolean tooLarge = e.getCause() instanceof org.apache.kafka.common.errors.RecordTooLargeException;
            throw new LedgerUnavailableException("append of " + event.getClass().getSimpleName() + " failed: "
                    + e.getCause(), e, tooLarge);
        } catch (TimeoutException e) {
            throw new LedgerUnavailableException("append of " + event.getClass().getSimpleName()
                    + " not confirmed in time; it may still apply", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted", e);
        }
    }

    @Override
    public Views views() {
        return views;
    }

    /** A reader of the log itself (the audit timeline, replays); the caller closes it. */
    @Override
    public EventLog openEventLog() {
        return new KafkaEventLog(settings.kafka());
    }

    /**
     * The read barrier for strong read-after-write across gateways (ADR 0004): learns the log's end
     * offset from the broker and waits until this node's views have applied everything before it,
     * so a read that starts after another gateway acknowledged a write sees that write.
     */
    @Override
    public void catchUp() throws LedgerUnavailableException {
        TopicPartition tp = new TopicPartition(EVENTS_TOPIC, 0);
        long timeout = settings.applyTimeout().toNanos();
        long start = System.nanoTime();
        long end;
        try {
            // Concurrent reads share one query: an end offset asked for after this read started covers
            // every write acknowledged before it, so a read waiting here may use one fetched meanwhile.
            synchronized (endOffsets) {
                if (lastEndAskedAt - start >= 0 && lastEnd >= 0) {
                    end = lastEnd;
                } else {
                    long asked = System.nanoTime();
                    end = endOffsets.endOffsets(java.util.List.of(tp), Duration.ofNanos(timeout)).get(tp);
                    lastEnd = end;
                    lastEndAskedAt = asked;
                }
            }
            if (end > 0) {
                progress.whenApplied(0, end - 1).get(Math.max(1, timeout - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
            }
            Trace.mark("read barrier");
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw new LedgerUnavailableException("the views could not catch up with the log: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerUnavailableException("interrupted", e);
        }
    }

    /** Events in the log this node's views have not applied yet; -1 when the log's end cannot be read. */
    @Override
    public long lag() {
        TopicPartition tp = new TopicPartition(EVENTS_TOPIC, 0);
        try {
            long end;
            synchronized (endOffsets) {
                end = endOffsets.endOffsets(java.util.List.of(tp), Duration.ofSeconds(5)).get(tp);
            }
            return Math.max(0, end - 1 - progress.appliedOffset(0));
        } catch (org.apache.kafka.common.KafkaException e) {
            return -1;
        }
    }

    @Override
    public ViewProgress progress() {
        return progress;
    }

    /**
     * Whether the reference counts may be used to delete blocks: true unless the views' thread
     * failed since start (its replacement briefly serves state rolled back to the last commit).
     */
    @Override
    public boolean referencesTrusted() {
        return referencesTrusted && ready();
    }

    /** True once the views caught up with the log at start, and while they keep running. */
    @Override
    public boolean ready() {
        return ready && streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Whether the views are running (not starting, restoring after a failover, or stopped). */
    @Override
    public boolean viewsRunning() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** The views' state as people read it in a health check ("RUNNING", "REBALANCING", ...). */
    @Override
    public String viewsState() {
        return streams.state().name();
    }

    @Override
    public void close() {
        ready = false;
        producer.close(Duration.ofSeconds(10));
        synchronized (endOffsets) {
            endOffsets.close(Duration.ofSeconds(5));
        }
        // Leave the consumer group: otherwise the next start waits for this member's session to
        // time out (session.timeout.ms, 45 s) before the views get their partition back.
        streams.close(org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(15))
                .withGroupMembershipOperation(org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }

    private static Properties producerConfig(Settings s) {
        Properties p = new Properties();
        p.putAll(s.kafka().clientConfig());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Group commit: with one produce request in flight, every event that arrives while the broker
        // fsyncs it waits in the accumulator and rides the next request together, sharing one fsync.
        // (Five in flight would send five small requests, each paying its own fsyncs.)
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_EVENT_BYTES));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(s.applyTimeout().toMillis(), 1000)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(KafkaConnection.REQUEST_TIMEOUT_MS,
                Math.max(s.applyTimeout().toMillis() - 1, 500))));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(s.applyTimeout().toMillis()));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "blockcloset-gateway");
        return p;
    }

    static final String VIEWS_FETCH_MAX_WAIT_MS = "500";

    private static Properties streamsConfig(Settings s) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
        p.putAll(s.kafka().clientConfig());
        p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toString());
        // Stores, changelogs and the consumed offset commit together: reference counts never drift.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(s.replicationFactor()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        // A record that cannot even be decoded is logged and skipped rather than retried forever.
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(8L << 20));
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
        p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Integer.toString(MAX_EVENT_BYTES));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Integer.toString(MAX_EVENT_BYTES));
        // Every exactly-once commit costs fsyncs (transaction log, markers on each changelog, offsets)
        // on the disk the blocks and events share; reads don't wait for commits (they read the stores
        // directly), so commit once a second. A crash re-applies at most that second of events.
        // Changelog writes only need to reach the log by the commit: send them in big batches.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "200");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(1 << 20));
        // A fetch that finds nothing waits up to this long at the broker, and returns as soon as an
        // event arrives: the wait costs no latency, only idle wake-ups (issue 20: 100 ms made an idle
        // node fetch 10 times a second over TLS; Kafka's default, 500 ms, makes it 2).
        p.put(StreamsConfig.consumerPrefix("fetch.max.wait.ms"), VIEWS_FETCH_MAX_WAIT_MS);
        // Static membership: a node restarted after a crash (no LeaveGroup sent) takes its partition
        // back at once instead of waiting for its old session to time out (~45 s).
        // The id is stable for a state directory (the node's data dir), and differs between two
        // ledgers in one process or on one broker, which would otherwise fence each other.
        p.put(StreamsConfig.mainConsumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                s.applicationId() + "-" + Integer.toHexString(s.stateDir().toAbsolutePath().normalize().toString().hashCode()));
        return p;
    }
}
