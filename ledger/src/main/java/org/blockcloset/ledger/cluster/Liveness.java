package org.blockcloset.ledger.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.blockcloset.ledger.kafka.KafkaConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes are alive. Every node sends a heartbeat each second (free space, load, version, its
 * clock) to a compacted topic of the log, beside the events rather than among them (they are not
 * changes of the store), and follows every node's latest one. A node is up while its heartbeats
 * arrive, suspect after {@link #SUSPECT} without one, down after {@link #DOWN}; each state has a
 * "since". Writes skip replicas that are not up (recording the copy as missing), reads ask up ones
 * first (ADR 0010).
 */
public final class Liveness {
    private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);
    public static final String TOPIC = "blockcloset.heartbeats";
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Longer than a leader failover of the heartbeats' own partition (about 3 s), so that one does not make everyone suspect. */
    public static final Duration SUSPECT = Duration.ofSeconds(5);
    public static final Duration DOWN = Duration.ofSeconds(15);
    /** Tolerant of fields it does not know: a node of a newer version may say more in its heartbeat. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What a node says about itself each second. */
    public record Heartbeat(String nodeId, long sent, long capacity, long used, long free, double load, String version,
                            Repair repair, Scrub scrub) {
    }

    /** The node's scrub as it reports it: the current or last pass's blocks checked of all, corrupt copies found. */
    public record Scrub(String state, long blocksChecked, long blocksTotal, long corruptFound, long passes) {
    }

    /**
     * The node's repair as it reports it: blocks and bytes it has left to copy, blocks found on no
     * node; {@code settledLayout} the layout version for which it last held every block placed on it
     * (-1: it has blocks to copy; 0 from a node that does not say).
     */
    public record Repair(String state, long blocksLeft, long bytesLeft, long lostBlocks, long bytesPerSecond, long etaSeconds,
                         long layoutVersion, long surplusLeft, String passFinished, long bytesToCopy, long settledLayout,
                         int settledFactors) {
    }

    public enum State { UP, SUSPECT, DOWN }

    /** A node's liveness as this node sees it. */
    public record Status(State state, Instant since, Heartbeat last, long skewMillis) {
    }

    private record Seen(Heartbeat beat, Instant received, Instant upSince) {
    }

    private final KafkaConnection kafka;
    private final String self;
    private final Supplier<Heartbeat> beat;
    private final Clock clock;
    private final Instant started;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private volatile Instant lastReceived;
    private volatile boolean running;
    private Thread sender;
    private Thread follower;

    public Liveness(KafkaConnection kafka, String self, Supplier<Heartbeat> beat, Clock clock) {
        this.kafka = kafka;
        this.self = self;
        this.beat = beat;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** This node is always up to itself; others by their heartbeats (down until the first arrives). */
    public Status status(String nodeId) {
        Instant now = clock.instant();
        Seen s = seen.get(nodeId);
        if (nodeId.equals(self)) {
            return new Status(State.UP, started, s == null ? null : s.beat(), 0);
        }
        if (s == null) {
            // Not heard from since this node started: suspect for a moment (its first heartbeat is due
            // within a second), down after that.
            Instant downAt = started.plus(DOWN);
            return now.isBefore(downAt) ? new Status(State.SUSPECT, started, null, 0) : new Status(State.DOWN, downAt, null, 0);
        }
        // Every heartbeat travels through one partition of the log: while that partition fails over
        // (a few seconds after a node dies), none arrives from anyone, this node's own included. Ages
        // are measured up to the last heartbeat received from anyone, so a stalled channel makes no
        // node suspect; a node whose heartbeats stop while the others' keep coming is.
        Instant last = lastReceived;
        Duration age = Duration.between(s.received(), last == null || last.isAfter(now) ? now : last);
        long skew = s.beat().sent() - s.received().toEpochMilli();
        if (age.compareTo(SUSPECT) < 0) {
            return new Status(State.UP, s.upSince(), s.beat(), skew);
        }
        if (age.compareTo(DOWN) < 0) {
            return new Status(State.SUSPECT, s.received().plus(SUSPECT), s.beat(), skew);
        }
        return new Status(State.DOWN, s.received().plus(DOWN), s.beat(), skew);
    }

    public boolean isUp(String nodeId) {
        return status(nodeId).state() == State.UP;
    }

    /**
     * The member that acts for the cluster where one must act alone (failure records, lifecycle
     * rules): the first by id that this node sees up; empty when it sees none up.
     */
    public java.util.Optional<String> steward(java.util.List<org.blockcloset.ledger.model.ClusterNode> members) {
        return members.stream().map(org.blockcloset.ledger.model.ClusterNode::nodeId).filter(this::isUp).sorted().findFirst();
    }

    /**
     * Whether a write should send a copy there: up, or not heard from yet in this node's first
     * seconds (a fresh start must not count every other node out). A suspect or down node gets no
     * copy; the write records it as missing instead of waiting for it.
     */
    public boolean writable(String nodeId) {
        Status s = status(nodeId);
        return s.state() == State.UP || s.state() == State.SUSPECT && s.last() == null;
    }

    public void start() throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.SEGMENT_MS_CONFIG, Long.toString(TimeUnit.HOURS.toMillis(1)),
                    TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Long.toString(Long.MAX_VALUE)))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        running = true;
        sender = new Thread(this::send, "liveness-heartbeats");
        follower = new Thread(this::follow, "liveness-follower");
        sender.setDaemon(true);
        follower.setDaemon(true);
        sender.start();
        follower.start();
    }

    private void send() {
        Map<String, Object> c = kafka.clientConfig();
        c.put(ProducerConfig.ACKS_CONFIG, "1");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1500);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer())) {
            while (running) {
                try {
                    p.send(new ProducerRecord<>(TOPIC, self, JSON.writeValueAsBytes(beat.get())));
                } catch (Exception e) {
                    LOG.debug("heartbeat not sent: {}", e.toString());
                }
                Thread.sleep(INTERVAL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void follow() {
        Map<String, Object> c = kafka.clientConfig();
        c.put(org.apache.kafka.clients.consumer.ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1500);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            // Only heartbeats sent from now on say a node is alive now; older ones only name it.
            consumer.seekToEnd(List.of(tp));
            while (running) {
                try {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        record(JSON.readValue(r.value(), Heartbeat.class));
                    }
                } catch (org.apache.kafka.common.errors.InterruptException e) {
                    return;
                } catch (Exception e) {
                    LOG.debug("heartbeats not read: {}", e.toString());
                }
            }
        }
    }

    private void record(Heartbeat h) {
        Instant now = clock.instant();
        lastReceived = now;
        seen.compute(h.nodeId(), (id, before) -> {
            boolean wasUp = before != null && Duration.between(before.received(), now).compareTo(SUSPECT) < 0;
            return new Seen(h, now, wasUp ? before.upSince() : now);
        });
    }

    public void stop() throws InterruptedException {
        running = false;
        if (sender != null) {
            sender.interrupt();
        }
        if (follower != null) {
            follower.interrupt();
            follower.join(2000);
        }
    }
}
