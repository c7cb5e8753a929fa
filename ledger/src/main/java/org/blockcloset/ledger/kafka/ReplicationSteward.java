package org.blockcloset.ledger.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every topic of the log (events, Kafka's internal topics, every node's Streams changelogs)
 * at replication factor min(3, brokers) and min.insync.replicas 2 once there are three: the log
 * survives the loss of any one node (ADR 0009). Raising a factor is an online partition
 * reassignment; Kafka copies the data while producers and consumers carry on. Idempotent: a topic
 * already at its factor is left alone, so any node may run it at any time.
 */
public final class ReplicationSteward {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSteward.class);
    public static final int MAX_FACTOR = 3;

    private ReplicationSteward() {
    }

    /** The factor a cluster of {@code brokers} brokers should have. */
    public static int factorFor(int brokers) {
        return Math.max(1, Math.min(MAX_FACTOR, brokers));
    }

    /**
     * Raises every topic with fewer replicas than the live brokers allow, waits (up to
     * {@code timeoutSeconds}) until the reassignments finished, and sets min.insync.replicas.
     * Returns how many partitions it reassigned.
     */
    public static int raise(Admin admin, long timeoutSeconds) throws ExecutionException, InterruptedException, TimeoutException {
        return raise(admin, timeoutSeconds, id -> false);
    }

    /**
     * As {@link #raise(Admin, long)}, and first moves every replica on a {@code gone} broker (a node
     * recorded as failed, or removed) to a live broker not yet among the partition's replicas (ADR
     * 0011): the log survives the next failure as well as it did the first. With no such broker left
     * the dead replica is dropped (the factor follows the live brokers), and raised again when one
     * comes.
     */
    public static int raise(Admin admin, long timeoutSeconds, java.util.function.IntPredicate gone)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<Integer> brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::id).sorted().toList();
        int factor = factorFor(brokers.size());
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
        int spread = 0;
        for (TopicDescription t : described.values()) {
            for (TopicPartitionInfo p : t.partitions()) {
                List<Integer> all = p.replicas().stream().map(Node::id).toList();
                List<Integer> replicas = new ArrayList<>(all.stream().filter(id -> !gone.test(id) || brokers.contains(id)).toList());
                if (replicas.size() == all.size() && replicas.size() >= factor) {
                    continue;
                }
                // Add the brokers after the current ones in id order, rotated per partition to spread leaders.
                LinkedHashSet<Integer> target = new LinkedHashSet<>(replicas);
                for (int i = 0; target.size() < factor && i < brokers.size(); i++) {
                    target.add(brokers.get((spread + i) % brokers.size()));
                }
                spread++;
                if (target.equals(new LinkedHashSet<>(all))) {
                    continue;
                }
                moves.put(new TopicPartition(t.name(), p.partition()), Optional.of(new NewPartitionReassignment(new ArrayList<>(target))));
            }
        }
        if (!moves.isEmpty()) {
            admin.alterPartitionReassignments(moves).all().get(30, TimeUnit.SECONDS);
            LOG.info("Reassigning {} partition(s) to {} live replicas", moves.size(), factor);
            awaitReassignments(admin, moves.keySet(), timeoutSeconds);
        }
        if (factor >= MAX_FACTOR) {
            setMinIsr(admin, topics, "2");
        }
        return moves.size();
    }

    private static void awaitReassignments(Admin admin, Collection<TopicPartition> parts, long timeoutSeconds)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            var ongoing = admin.listPartitionReassignments(Set.copyOf(parts)).reassignments().get(30, TimeUnit.SECONDS);
            if (ongoing.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(ongoing.size() + " reassignment(s) still running after " + timeoutSeconds + " s");
            }
            Thread.sleep(200);
        }
    }

    private static void setMinIsr(Admin admin, Set<String> topics, String minIsr)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (String t : topics) {
            ops.put(new ConfigResource(ConfigResource.Type.TOPIC, t), List.of(new AlterConfigOp(
                    new ConfigEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minIsr), AlterConfigOp.OpType.SET)));
        }
        admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
    }
}
