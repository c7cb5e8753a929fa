package org.blockcloset.ledger.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node Kafka (KRaft, broker+controller in one {@link KafkaRaftServer}).
 *
 * <p>{@link #start(KafkaSettings)} formats {@code <data>/kafka} on first start (later starts reuse
 * the cluster id held in its {@code meta.properties}), starts the server and returns once the
 * broker answers {@code describeCluster} with itself in the cluster. Durability settings are
 * baked in: every append is fsync'd before the produce request is acknowledged
 * ({@code log.flush.interval.messages=1}); see docs/adr/0002-embedded-kraft-and-durability.md.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    // ---- Timeouts ---------------------------------------------------------------------------
    /** Bound on startup + readiness; a cold start measures ~3 s on 2 cores. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on close(): shutdown() can block forever once the controller quorum is gone. */
    public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);
    /** Per-call timeout of the readiness probe, so the loop re-checks the overall deadline. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    /** Pause between readiness probes. */
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);
    /** How often a start that waits checks which controllers it reaches, and logs it. */
    static final Duration WAIT_CHECK = Duration.ofSeconds(2);
    static final Duration WAIT_REPORT = Duration.ofSeconds(10);

    // ---- Listener layout --------------------------------------------------------------------
    /** Client listener name; also the inter-broker listener. */
    public static final String BROKER_LISTENER = "BROKER";
    /** Raft (controller) listener name. */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";
    /**
     * Both listeners authenticate and both speak TLS with a key every node derives from the cluster
     * secret ({@link ClusterTls}; ADR 0002, ADR 0015): SCRAM-SHA-512 on the broker listener (the
     * password never crosses the wire), PLAIN on the controller listener (KRaft controllers cannot use
     * SCRAM: its credentials live in the metadata the controllers serve).
     */
    private static final String SECURITY_PROTOCOL_MAP = BROKER_LISTENER + ":SASL_SSL," + CONTROLLER_LISTENER + ":SASL_SSL";
    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    /** In the data directory once the log holds the SCRAM credential (formatted with it, or upgraded). */
    static final String SCRAM_MARKER = "kafka-scram-credential";
    /** In the data directory once the log's controller quorum is dynamic (kraft.version 1). */
    static final String DYNAMIC_QUORUM_MARKER = "kafka-dynamic-quorum";
    /** One process is both broker and controller. */
    private static final String PROCESS_ROLES = "broker,controller";
    /** Where Kafka's formatter leaves the cluster id. */
    private static final String META_PROPERTIES = "meta.properties";
    private static final String CLUSTER_ID_PROPERTY = "cluster.id";

    // ---- Durability and single-node settings (each value: one reason) -------------------------
    /** fsync every append before the produce is acknowledged: an acknowledged write survives power loss. */
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "1";
    /** One node: the consumer-offsets topic can only have one replica. */
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "1";
    /** One node: the transaction-state topic can only have one replica. */
    public static final String TRANSACTION_STATE_LOG_REPLICATION_FACTOR = "1";
    /** One node: the transaction-state topic's ISR is at most that one replica. */
    public static final String TRANSACTION_STATE_LOG_MIN_ISR = "1";
    /** One node: the share-coordinator state topic can only have one replica. */
    public static final String SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR = "1";
    /** One node: the share-coordinator state topic's ISR is at most that one replica. */
    public static final String SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR = "1";
    /** One node: acks=all means "the leader has it" (and, with the flush above, "on disk"). */
    public static final String MIN_INSYNC_REPLICAS = "1";
    /** One node: topics created without an explicit factor get the only possible one. */
    public static final String DEFAULT_REPLICATION_FACTOR = "1";
    /** Topics are created deliberately (partitions, compaction); a typo must not create one. */
    public static final String AUTO_CREATE_TOPICS_ENABLE = "false";
    /** One member per group in-process: don't wait 3 s for more to join. */
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "0";
    /** The 128 MiB default is allocated on the heap and kills a small-heap JVM (OOM); 8 MiB is plenty. */
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = Integer.toString(8 * 1024 * 1024);
    /** Event topics choose their partitioning explicitly; the default is the smallest. */
    public static final String NUM_PARTITIONS = "1";
    /** 16 MiB: object records listing many block ids can be large. */
    public static final String MESSAGE_MAX_BYTES = Integer.toString(16 * 1024 * 1024);
    public static final String BROKER_SESSION_TIMEOUT_MS = "1500";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "250";
    /**
     * How often an idle controller appends a no-op record to the metadata log (Kafka: 500 ms). Each
     * one is written and fsync'd by every voter and fetched by every broker; it only serves to show a
     * lagging follower's lag, which nothing here reads. Issue 20 measured 1.6 % of a core on an idle
     * single node at 500 ms. Quorum fetches still answer within 500 ms without it (KRaft's long
     * poll), so elections and fencing are unchanged.
     */
    public static final String METADATA_MAX_IDLE_INTERVAL_MS = "5000";
    /**
     * A follower whose fetch failed (its leader died, or the new leader had not taken over yet)
     * tries again after this long: Kafka's 1 s default held acknowledged writes (acks=all) up to
     * a second after a failover had moved the partition (ADR 0009).
     */
    public static final String REPLICA_FETCH_BACKOFF_MS = "100";
    /** A quorum follower stands for election after the leader has been silent this long, plus its stagger. */
    public static final int QUORUM_FETCH_TIMEOUT_MS = 800;
    /**
     * Voters stand for election one after the other, by node id: two that stood at once split the
     * vote and the election took 0.6 s instead of 0.1 (ADR 0009). A few tens of milliseconds are
     * enough: the first to stand is refused a pre-vote by the other, which still hears from the
     * leader, and waits; the second stands alone and wins. Node 1 made the quorum and usually leads
     * it, so it waits longest (900 ms), its followers 2 and 3 least (800, 850).
     */
    public static final int QUORUM_FETCH_TIMEOUT_STAGGER_MS = 50;

    /** This node's quorum fetch timeout: never two of the first three voters alike. */
    static int quorumFetchTimeoutMs(int nodeId) {
        return QUORUM_FETCH_TIMEOUT_MS + QUORUM_FETCH_TIMEOUT_STAGGER_MS * Math.floorMod(nodeId + 1, 3);
    }
    public static final String QUORUM_ELECTION_TIMEOUT_MS = "300";
    public static final String QUORUM_ELECTION_BACKOFF_MAX_MS = "200";
    /** Never elect a replica that may lack acknowledged writes. */
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "false";
    /** One node, one consumer group, one transactional producer: 50 internal partitions would mean 50 logs to fsync and load. */
    public static final String INTERNAL_TOPIC_PARTITIONS = "1";

    private final KafkaSettings settings;
    private final String clusterId;
    private final KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(KafkaSettings settings, String clusterId, KafkaRaftServer server) {
        this.settings = settings;
        this.clusterId = clusterId;
        this.server = server;
    }

    /** {@link #start(KafkaSettings, Duration)} with {@link #STARTUP_TIMEOUT}. */
    public static EmbeddedKafka start(KafkaSettings settings) {
        return start(settings, STARTUP_TIMEOUT);
    }

    /** {@link #start(KafkaSettings, Duration, java.util.function.Consumer)}, reporting progress to the log only. */
    public static EmbeddedKafka start(KafkaSettings settings, Duration timeout) {
        return start(settings, timeout, stage -> { });
    }

    /**
     * Formats the log directory if needed, starts the broker+controller and waits until the broker
     * is in the cluster and answers clients. While it waits it says, every {@link #WAIT_REPORT}, to
     * the log and to {@code progress}, what for (checked every {@link #WAIT_CHECK}): a member of a cluster cannot start before a quorum
     * of the log's controllers is up, so it names the controllers it reaches and those it does not.
     *
     * @param timeout  how long to wait at most; null to wait as long as it takes (a cluster member
     *                 whose peers boot minutes later, ADR 0009)
     * @param progress told the stage the start waits on, as it changes
     * @throws IllegalStateException if it fails to start or is not ready within {@code timeout}
     */
    public static EmbeddedKafka start(KafkaSettings settings, Duration timeout, java.util.function.Consumer<String> progress) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        Path logDirectory = settings.logDirectory();
        Path scramMarker = settings.dataDirectory().resolve(SCRAM_MARKER);
        Path dynamicMarker = settings.dataDirectory().resolve(DYNAMIC_QUORUM_MARKER);
        String clusterId;
        try {
            Files.createDirectories(logDirectory);
            Optional<String> existing = existingClusterId(logDirectory);
            String wanted = settings.quorum().clusterId();
            if (existing.isPresent() && wanted != null && !existing.get().equals(wanted)) {
                throw new IllegalStateException("the log directory belongs to cluster " + existing.get() + ", not " + wanted);
            }
            clusterId = existing.orElseGet(() -> wanted != null ? wanted : Uuid.randomUuid().toString());
            if (existing.isEmpty()) {
                format(settings, clusterId);
                Files.createFile(scramMarker);
                Files.createFile(dynamicMarker);
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka log directory " + logDirectory + ": " + e, e);
        }
        // A log formatted by a release before authentication lacks the SCRAM credential, and one made
        // before clusters has a static single-voter quorum: both are upgraded in place, once.
        boolean scramUpgrade = !Files.exists(scramMarker);
        boolean dynamic = Files.exists(dynamicMarker);
        EmbeddedKafka kafka = launch(settings, clusterId, scramUpgrade, dynamic, deadline, timeout, progress);
        // Once the broker has started (its quorum was there), answering clients is quick: bounded
        // even when the wait for the quorum was not, so a wrong credential fails instead of hanging.
        Duration readyWithin = timeout == null ? STARTUP_TIMEOUT : timeout;
        long ready = Math.min(deadline, System.nanoTime() + STARTUP_TIMEOUT.toNanos());
        try {
            if (scramUpgrade) {
                kafka.awaitReady(KafkaConnection.plain(settings.bootstrapServers(), settings.password()), ready, readyWithin);
                kafka.addScramCredential(scramMarker);
            }
            kafka.awaitReady(kafka.connection(), ready, readyWithin);
            if (!dynamic) {
                kafka.upgradeToDynamicQuorum(dynamicMarker);
                kafka.close();
                kafka = launch(settings, clusterId, false, true, deadline, timeout, progress);
                kafka.awaitReady(kafka.connection(), Math.min(deadline, System.nanoTime() + STARTUP_TIMEOUT.toNanos()), readyWithin);
            }
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.info("Embedded Kafka ready at {} (node {}, cluster {}, log dir {})",
                settings.bootstrapServers(), settings.nodeId(), clusterId, logDirectory);
        return kafka;
    }

    private static EmbeddedKafka launch(KafkaSettings settings, String clusterId, boolean scramUpgrade, boolean dynamic,
                                        long deadline, Duration timeout, java.util.function.Consumer<String> progress) {
        Map<String, String> properties = brokerProperties(settings, scramUpgrade, dynamic);
        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new IllegalStateException("invalid embedded Kafka configuration for " + settings.logDirectory() + ": " + e, e);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(settings, clusterId, server);
        try {
            kafka.startup(deadline, timeout, progress);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    /** Raises kraft.version to 1 on a log made with a static single-voter quorum, so controllers can be added. */
    private void upgradeToDynamicQuorum(Path marker) {
        try (Admin admin = Admin.create(connection().clientConfig())) {
            admin.updateFeatures(Map.of("kraft.version", new org.apache.kafka.clients.admin.FeatureUpdate((short) 1,
                    org.apache.kafka.clients.admin.FeatureUpdate.UpgradeType.UPGRADE)),
                    new org.apache.kafka.clients.admin.UpdateFeaturesOptions()).all().get(30, TimeUnit.SECONDS);
            Files.createFile(marker);
            LOG.info("Upgraded the log at {} to a dynamic controller quorum (kraft.version 1)", settings.logDirectory());
        } catch (Exception e) {
            throw new IllegalStateException("cannot upgrade " + settings.logDirectory() + " to a dynamic quorum: " + e, e);
        }
    }

    /**
     * Makes this node's controller a voter of the metadata quorum (a joining controller starts as an
     * observer). Idempotent; retried until the deadline while the leader waits for it to catch up.
     */
    public void becomeVoter(Duration timeout) {
        if (!settings.quorum().controller()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(connection().clientConfig())) {
            Uuid directory = directoryId(settings.logDirectory());
            while (System.nanoTime() < deadline) {
                try {
                    var quorum = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
                    if (quorum.voters().stream().anyMatch(v -> v.replicaId() == settings.nodeId())) {
                        return;
                    }
                    if (quorum.voters().size() >= QuorumSteward.VOTERS) {
                        return; // replaced while this node was gone: it follows as an observer
                    }
                    admin.addRaftVoter(settings.nodeId(), directory, java.util.Set.of(new org.apache.kafka.clients.admin.RaftVoterEndpoint(
                            CONTROLLER_LISTENER, settings.host(), settings.controllerPort()))).all().get(30, TimeUnit.SECONDS);
                    LOG.info("Node {} joined the controller quorum", settings.nodeId());
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(PROBE_INTERVAL.toMillis() * 5);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the directory id of " + settings.logDirectory(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining the controller quorum", e);
        }
        throw new IllegalStateException("node " + settings.nodeId() + " could not join the controller quorum within "
                + timeout + ": " + last, last);
    }

    static Uuid directoryId(Path logDirectory) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(logDirectory.resolve(META_PROPERTIES))) {
            p.load(in);
        }
        return Uuid.fromString(p.getProperty("directory.id"));
    }

    /**
     * The broker properties: the listener layout, then the baked-in durability settings, then
     * {@link KafkaSettings#overrides()} (which win).
     */
    static Map<String, String> brokerProperties(KafkaSettings settings, boolean upgrade, boolean dynamic) {
        String host = settings.host();
        // Every node runs a controller: the first three vote, the others follow the metadata log as
        // observers, ready to replace a voter whose node is gone (QuorumSteward, ADR 0011).
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", PROCESS_ROLES);
        p.put("node.id", Integer.toString(settings.nodeId()));
        if (dynamic) {
            p.put("controller.quorum.bootstrap.servers",
                    settings.quorum().creates() ? settings.controllerAddress() : settings.quorum().controllerBootstrap());
        } else {
            p.put("controller.quorum.voters", settings.nodeId() + "@" + settings.controllerAddress());
        }
        if (!settings.quorum().creates()) {
            // A member of a cluster waits for the controller quorum as long as it takes (its peers may
            // boot minutes later); Kafka's broker gives up registering after 60 s by default.
            p.put("initial.broker.registration.timeout.ms", Integer.toString(Integer.MAX_VALUE));
        }
        p.put("listeners", BROKER_LISTENER + "://" + host + ":" + settings.brokerPort()
                + "," + CONTROLLER_LISTENER + "://" + settings.controllerAddress());
        p.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + settings.brokerPort());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", SECURITY_PROTOCOL_MAP);
        String broker = "listener.name." + BROKER_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        String controller = "listener.name." + CONTROLLER_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        String user = KafkaConnection.USER;
        String password = settings.password();
        // While upgrading a log made before authentication, PLAIN is also accepted on the broker
        // listener (and used between brokers) until the SCRAM credential exists; the next start drops it.
        p.put(broker + "sasl.enabled.mechanisms", upgrade ? KafkaConnection.SCRAM_MECHANISM + ",PLAIN" : KafkaConnection.SCRAM_MECHANISM);
        p.put(broker + "scram-sha-512.sasl.jaas.config", KafkaConnection.jaas(SCRAM_MODULE, user, password, false));
        if (upgrade) {
            p.put(broker + "plain.sasl.jaas.config", KafkaConnection.jaas(PLAIN_MODULE, user, password, true));
        }
        p.put("sasl.mechanism.inter.broker.protocol", upgrade ? "PLAIN" : KafkaConnection.SCRAM_MECHANISM);
        p.put(controller + "sasl.enabled.mechanisms", "PLAIN");
        p.put(controller + "plain.sasl.jaas.config", KafkaConnection.jaas(PLAIN_MODULE, user, password, true));
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        // PLAIN sends the password itself: only inside TLS, to a listener holding the cluster's key.
        p.putAll(ClusterTls.listenerProperties(controller, password));
        // The broker listener carries the events, the views' changelogs and the followers' fetches
        // across the LAN: inside TLS too, with the same pinned identity (ADR 0015).
        p.putAll(ClusterTls.listenerProperties(broker, password));
        p.put("log.dirs", settings.logDirectory().toAbsolutePath().toString());

        p.put("log.flush.interval.messages", LOG_FLUSH_INTERVAL_MESSAGES);
        p.put("offsets.topic.replication.factor", OFFSETS_TOPIC_REPLICATION_FACTOR);
        p.put("transaction.state.log.replication.factor", TRANSACTION_STATE_LOG_REPLICATION_FACTOR);
        p.put("transaction.state.log.min.isr", TRANSACTION_STATE_LOG_MIN_ISR);
        p.put("share.coordinator.state.topic.replication.factor", SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR);
        p.put("share.coordinator.state.topic.min.isr", SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR);
        p.put("min.insync.replicas", MIN_INSYNC_REPLICAS);
        p.put("default.replication.factor", DEFAULT_REPLICATION_FACTOR);
        p.put("auto.create.topics.enable", AUTO_CREATE_TOPICS_ENABLE);
        p.put("group.initial.rebalance.delay.ms", GROUP_INITIAL_REBALANCE_DELAY_MS);
        p.put("log.cleaner.dedupe.buffer.size", LOG_CLEANER_DEDUPE_BUFFER_SIZE);
        p.put("num.partitions", NUM_PARTITIONS);
        p.put("message.max.bytes", MESSAGE_MAX_BYTES);
        p.put("unclean.leader.election.enable", UNCLEAN_LEADER_ELECTION_ENABLE);
        p.put("offsets.topic.num.partitions", INTERNAL_TOPIC_PARTITIONS);
        p.put("transaction.state.log.num.partitions", INTERNAL_TOPIC_PARTITIONS);
        p.put("share.coordinator.state.topic.num.partitions", INTERNAL_TOPIC_PARTITIONS);
        // Losing a node must not stall writes for long (cluster issue: at most 5 s; see KAFKA-NOTES):
        // a dead quorum leader is replaced within about a second, a dead broker fenced 1.5 s after the
        // (new) controller is active (ADR 0009).
        p.put("broker.session.timeout.ms", BROKER_SESSION_TIMEOUT_MS);
        p.put("broker.heartbeat.interval.ms", BROKER_HEARTBEAT_INTERVAL_MS);
        p.put("metadata.max.idle.interval.ms", METADATA_MAX_IDLE_INTERVAL_MS);
        p.put("replica.fetch.backoff.ms", REPLICA_FETCH_BACKOFF_MS);
        p.put("controller.quorum.fetch.timeout.ms", Integer.toString(quorumFetchTimeoutMs(settings.nodeId())));
        p.put("controller.quorum.election.timeout.ms", QUORUM_ELECTION_TIMEOUT_MS);
        // Two survivors that stand at once split the vote; retry sooner than the 1 s default.
        p.put("controller.quorum.election.backoff.max.ms", QUORUM_ELECTION_BACKOFF_MAX_MS);

        p.putAll(settings.overrides());
        return p;
    }

    /** The cluster id in {@code <logDir>/meta.properties}, if the directory was formatted before. */
    static Optional<String> existingClusterId(Path logDirectory) throws IOException {
        Path meta = logDirectory.resolve(META_PROPERTIES);
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            properties.load(in);
        }
        String id = properties.getProperty(CLUSTER_ID_PROPERTY);
        return id == null || id.isBlank() ? Optional.empty() : Optional.of(id.trim());
    }

    /**
     * Formats a fresh log directory with a dynamic quorum: the cluster's first node as its only
     * voter (kafka-storage's --standalone), a joining node with no initial controllers (it finds the
     * quorum through its bootstrap servers and is added as a voter later, if it runs a controller).
     */
    private static void format(KafkaSettings settings, String clusterId) throws Exception {
        String dir = settings.logDirectory().toAbsolutePath().toString();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            Formatter formatter = new Formatter();
            if (settings.quorum().creates()) {
                formatter.setInitialControllers(org.apache.kafka.raft.DynamicVoters.parse(settings.nodeId() + "@"
                        + settings.controllerAddress() + ":" + Uuid.randomUuid()));
            }
            formatter.setHasDynamicQuorum(true);
            formatter
                    .setPrintStream(print)
                    .setNodeId(settings.nodeId())
                    .setClusterId(clusterId)
                    .setDirectories(List.of(dir))
                    .setMetadataLogDirectory(dir)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setScramArguments(List.of(KafkaConnection.SCRAM_MECHANISM + "=[name=" + KafkaConnection.USER
                            + ",password=" + settings.password() + "]"))
                    .setIgnoreFormatted(true)
                    .run();
        }
        String text = output.toString(StandardCharsets.UTF_8).trim();
        if (!text.isEmpty()) {
            LOG.debug("Kafka formatter: {}", text);
        }
    }

    private void startup(long deadline, Duration timeout, java.util.function.Consumer<String> progress) {
        Thread starter = new Thread(server::startup, "embedded-kafka-startup");
        starter.setDaemon(true);
        Throwable[] failure = new Throwable[1];
        starter.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
        starter.start();
        long started = System.nanoTime();
        long logged = started;
        progress.accept("starting the log");
        try {
            while (starter.isAlive() && System.nanoTime() < deadline) {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                starter.join(Math.min(left, WAIT_CHECK.toMillis()));
                if (starter.isAlive() && System.nanoTime() < deadline) {
                    String waiting = settings.quorum().controllerBootstrap().isEmpty() ? "starting the log (this node is its only controller)"
                            : "waiting for a quorum of the log's controllers (" + reachability() + ")";
                    progress.accept(waiting);
                    if (System.nanoTime() - logged >= WAIT_REPORT.toNanos()) {
                        logged = System.nanoTime();
                        LOG.info("Embedded Kafka at {} has been starting for {} s: {}", settings.bootstrapServers(),
                                TimeUnit.NANOSECONDS.toSeconds(logged - started), waiting);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting embedded Kafka", e);
        }
        if (starter.isAlive()) {
            throw new IllegalStateException("embedded Kafka at " + settings.bootstrapServers()
                    + " did not finish startup within " + timeout + " (log dir " + settings.logDirectory() + "; "
                    + reachability() + ")");
        }
        if (failure[0] != null) {
            throw new IllegalStateException("embedded Kafka failed to start at " + settings.bootstrapServers()
                    + " / controller port " + settings.controllerPort() + " (log dir " + settings.logDirectory()
                    + "): " + failure[0], failure[0]);
        }
    }

    /**
     * Which of the log's controllers (other than this node's) answer on their port now: "reaches
     * 127.0.0.3:19093; cannot reach 127.0.0.4:19093". A TCP connect, each bounded by a second.
     */
    String reachability() {
        String bootstrap = settings.quorum().controllerBootstrap();
        if (bootstrap.isEmpty()) {
            return "this node is the only controller";
        }
        List<String> reached = new java.util.ArrayList<>();
        List<String> missed = new java.util.ArrayList<>();
        for (String endpoint : bootstrap.split(",")) {
            String e = endpoint.trim();
            int colon = e.lastIndexOf(':');
            if (colon <= 0 || e.equals(settings.controllerAddress())) {
                continue;
            }
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1))), 1000);
                reached.add(e);
            } catch (IOException | RuntimeException ex) {
                missed.add(e);
            }
        }
        return (reached.isEmpty() ? "reaches no other controller" : "reaches " + String.join(", ", reached))
                + (missed.isEmpty() ? "" : "; cannot reach " + String.join(", ", missed));
    }

    /** Creates the SCRAM credential in a log made before authentication (connected with PLAIN on loopback). */
    private void addScramCredential(Path marker) {
        Map<String, Object> config = KafkaConnection.plain(settings.bootstrapServers(), settings.password()).clientConfig();
        try (Admin admin = Admin.create(config)) {
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                    KafkaConnection.USER, new org.apache.kafka.clients.admin.ScramCredentialInfo(
                            org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192), settings.password())))
                    .all().get(30, TimeUnit.SECONDS);
            Files.createFile(marker);
            LOG.info("Upgraded the log at {} to authenticated listeners (SCRAM credential created)", settings.logDirectory());
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the SCRAM credential in " + settings.logDirectory() + ": " + e, e);
        }
    }

    private void awaitReady(KafkaConnection connection, long deadline, Duration timeout) {
        Map<String, Object> config = connection.clientConfig();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        Exception last = null;
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                try {
                    var cluster = admin.describeCluster(
                            new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis()));
                    var nodes = cluster.nodes().get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    if (nodes.stream().map(Node::id).anyMatch(id -> id == settings.nodeId())) {
                        return;
                    }
                    last = new IllegalStateException("node " + settings.nodeId() + " not yet in cluster " + nodes);
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(PROBE_INTERVAL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        }
        throw new IllegalStateException("embedded Kafka at " + settings.bootstrapServers()
                + " not ready within " + timeout + " (describeCluster kept failing; log dir "
                + settings.logDirectory() + "): " + last, last);
    }

    /** {@code host:brokerPort}, for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    /** How clients reach this log: bootstrap servers and the SCRAM credentials. */
    public KafkaConnection connection() {
        return KafkaConnection.scram(settings.bootstrapServers(), settings.password());
    }

    /** The KRaft cluster id (stable across restarts on the same directory). */
    public String clusterId() {
        return clusterId;
    }

    /** The settings this broker was started with. */
    public KafkaSettings settings() {
        return settings;
    }

    /**
     * Shuts the server down and waits for it, giving up after {@link #SHUTDOWN_TIMEOUT} with a
     * WARN (the shutdown then continues on a daemon thread). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread stopper = new Thread(() -> {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("Embedded Kafka at {} failed while shutting down", settings.bootstrapServers(), e);
            }
        }, "embedded-kafka-shutdown");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(SHUTDOWN_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while waiting for embedded Kafka at {} to shut down", settings.bootstrapServers());
            return;
        }
        if (stopper.isAlive()) {
            LOG.warn("Embedded Kafka at {} did not shut down within {}; giving up (it continues in the background)",
                    settings.bootstrapServers(), SHUTDOWN_TIMEOUT);
        } else {
            LOG.info("Embedded Kafka at {} stopped", settings.bootstrapServers());
        }
    }
}
