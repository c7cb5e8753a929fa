package org.blockcloset.ledger.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends transactions that nothing else will end, so the views' restore can go on (a start hung on
 * one in about a third of the clean-clone CI runs of CrashLoopIT).
 *
 * <p>How one comes about: a node is killed while its views' transaction is being committed. At the
 * next start the log's transaction coordinator loads it and sends the commit markers, but the
 * controller in the same process is just then fencing the broker's old registration: every
 * partition is leaderless for a moment, and the coordinator skips partitions it finds no leader for
 * ("likely deleted already") and marks the transaction complete. Those partitions keep an open
 * transaction that no one will close; their last stable offset stops there, and the views'
 * restore, which reads committed data only, waits for ever.
 *
 * <p>What this does: while the views are still restoring {@link #HANGING_AFTER} into a start, a
 * transaction open on one of their changelogs or on the consumer offsets, written by one of the
 * views' own transactional ids at an epoch the coordinator has since fenced (so no one will end
 * it), is aborted with Kafka's own tool for hanging transactions ({@code Admin.abortTransaction},
 * KIP-664). Only on partitions whose every replica is this one broker: when the coordinator looked
 * for their leaders the whole broker was fenced, in one lookup for all of the transaction's
 * partitions, so all were skipped, and aborting them all rolls the views back to their previous
 * commit consistently; they apply the same events again from the log. Where a partition has
 * replicas elsewhere it only says what hangs and how to rebuild the views. After an abort the
 * ledger trusts no reference count until the next start (no block is collected meanwhile).
 */
final class HangingTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
    /** How long into a start the views may restore before this looks (their transaction timeout is 10 s). */
    static final Duration HANGING_AFTER = Duration.ofSeconds(30);

    private HangingTransactions() {
    }

    /**
     * Aborts the hanging transactions of this node's views ({@code applicationId}): open on one of
     * its changelogs ({@code stores}) or on the consumer offsets, written by a producer of its own
     * transactional ids that the coordinator has since fenced (a newer epoch of the same id), on
     * partitions whose every replica is this one broker. Returns how many it aborted.
     */
    static int abortHanging(Admin admin, String applicationId, java.util.Collection<String> stores)
            throws InterruptedException, ExecutionException, TimeoutException {
        // The views' own transactional ids and the epoch each is at now.
        Map<Long, Short> currentEpoch = new java.util.HashMap<>();
        List<String> ids = new ArrayList<>();
        for (org.apache.kafka.clients.admin.TransactionListing t : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
            if (t.transactionalId().startsWith(applicationId + "-")) {
                ids.add(t.transactionalId());
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        for (org.apache.kafka.clients.admin.TransactionDescription d : admin.describeTransactions(ids).all()
                .get(30, TimeUnit.SECONDS).values()) {
            currentEpoch.merge(d.producerId(), (short) d.producerEpoch(), (a, b) -> (short) Math.max(a, b));
        }
        List<String> topics = new ArrayList<>();
        for (String store : stores) {
            topics.add(applicationId + "-" + store + "-changelog");
        }
        topics.add("__consumer_offsets");
        java.util.Set<String> existing = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                .names().get(30, TimeUnit.SECONDS);
        topics.removeIf(t -> !existing.contains(t));
        List<TopicPartition> partitions = new ArrayList<>();
        Map<TopicPartition, java.util.Set<Integer>> replicas = new java.util.HashMap<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            d.partitions().forEach(p -> {
                TopicPartition tp = new TopicPartition(d.name(), p.partition());
                partitions.add(tp);
                java.util.Set<Integer> on = new java.util.HashSet<>();
                p.replicas().forEach(n -> on.add(n.id()));
                replicas.put(tp, on);
            });
        }
        if (partitions.isEmpty()) {
            return 0;
        }
        int aborted = 0;
        for (Map.Entry<TopicPartition, org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState> e
                : admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).entrySet()) {
            for (ProducerState p : e.getValue().activeProducers()) {
                Short now = currentEpoch.get(p.producerId());
                if (p.currentTransactionStartOffset().isEmpty() || now == null || p.producerEpoch() >= now) {
                    continue; // not ours, or not fenced: its coordinator still ends it
                }
                String what = "a transaction of the views' producer " + p.producerId() + " at epoch " + p.producerEpoch()
                        + " (fenced: the id is at epoch " + now + ") open on " + e.getKey() + " since offset "
                        + p.currentTransactionStartOffset().getAsLong();
                if (replicas.get(e.getKey()).size() != 1) {
                    LOG.warn("{} blocks the views' restore; the partition has replicas on other brokers, which may have had "
                            + "the transaction's markers, so this node does not abort it itself: POST /tasks/rebuild-views?reset=true "
                            + "on the admin port and a restart rebuild the views from the log", what);
                    continue;
                }
                admin.abortTransaction(new AbortTransactionSpec(e.getKey(), p.producerId(), (short) p.producerEpoch(),
                        p.coordinatorEpoch().orElse(0))).all().get(30, TimeUnit.SECONDS);
                LOG.warn("aborted {}: no one was ending it (its markers were skipped while the broker restarted); the views "
                        + "roll back to their previous commit and apply those events again", what);
                aborted++;
            }
        }
        return aborted;
    }
}
