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
 * <p>What this does: while the views start, a transaction still open on one of their changelogs or
 * on the consumer offsets after {@link #HANGING_AFTER} (the coordinator ends a live one within the
 * views' 10 s transaction timeout) is aborted with Kafka's own tool for hanging transactions
 * ({@code Admin.abortTransaction}, KIP-664). Only on a log with a single broker: there the skipped
 * partitions are all of the transaction's partitions (the whole broker was fenced), so aborting
 * them rolls the views back to their previous commit consistently, and they apply the same events
 * again from the log. With several brokers some partitions may have had their markers; there it
 * only says what hangs and how to rebuild the views.
 */
final class HangingTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(HangingTransactions.class);
    /** Well past the views' transaction timeout (10 s): an open transaction older than this is not being ended. */
    static final Duration HANGING_AFTER = Duration.ofSeconds(30);

    private HangingTransactions() {
    }

    /**
     * Aborts the transactions open for longer than {@code after} on the partitions of topics whose
     * name starts with {@code prefix} and on {@code __consumer_offsets}; returns how many.
     */
    static int abortHanging(Admin admin, String prefix, Duration after)
            throws InterruptedException, ExecutionException, TimeoutException {
        int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        List<String> topics = new ArrayList<>();
        for (String t : admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                .names().get(30, TimeUnit.SECONDS)) {
            if (t.startsWith(prefix) || t.equals("__consumer_offsets")) {
                topics.add(t);
            }
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
        }
        if (partitions.isEmpty()) {
            return 0;
        }
        long now = System.currentTimeMillis();
        int aborted = 0;
        for (Map.Entry<TopicPartition, org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState> e
                : admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).entrySet()) {
            for (ProducerState p : e.getValue().activeProducers()) {
                if (p.currentTransactionStartOffset().isEmpty() || now - p.lastTimestamp() < after.toMillis()) {
                    continue;
                }
                String what = "a transaction of producer " + p.producerId() + " (epoch " + p.producerEpoch() + ") open on "
                        + e.getKey() + " since offset " + p.currentTransactionStartOffset().getAsLong() + ", last written "
                        + (now - p.lastTimestamp()) / 1000 + " s ago";
                if (brokers != 1) {
                    LOG.warn("{} blocks the views' restore and is not being ended; with {} brokers this node does not abort it "
                            + "itself: POST /tasks/rebuild-views?reset=true on the admin port and a restart rebuild the views "
                            + "from the log", what, brokers);
                    continue;
                }
                admin.abortTransaction(new AbortTransactionSpec(e.getKey(), p.producerId(), (short) p.producerEpoch(),
                        p.coordinatorEpoch().orElse(0))).all().get(30, TimeUnit.SECONDS);
                LOG.warn("aborted {}: no one was ending it (its commit markers were skipped while the broker restarted); the "
                        + "views roll back to their previous commit and apply those events again", what);
                aborted++;
            }
        }
        return aborted;
    }
}
