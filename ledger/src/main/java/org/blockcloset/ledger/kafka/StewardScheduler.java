package org.blockcloset.ledger.kafka;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.blockcloset.ledger.kafka.KafkaConnection;
import org.blockcloset.ledger.kafka.QuorumSteward;
import org.blockcloset.ledger.kafka.ReplicationSteward;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ReplicationSteward} every few seconds on every node: when brokers join, every topic
 * (new changelogs of a joining node's views included) is raised to min(3, brokers) replicas soon
 * after; replicas on the broker of a node recorded as failed, or removed, move to live brokers.
 * Idempotent, so several nodes running it at once is harmless. The steward node also keeps the
 * metadata quorum at three live voters ({@link QuorumSteward}).
 */
public final class StewardScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(StewardScheduler.class);
    private static final long PERIOD_SECONDS = 10;

    private final KafkaConnection kafka;
    private final java.util.function.Supplier<java.util.List<org.blockcloset.ledger.model.ClusterNode>> members;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "replication-steward");
        t.setDaemon(true);
        return t;
    });
    private final java.util.function.BooleanSupplier stewardsQuorum;
    private final java.util.function.Predicate<String> up;
    private Admin admin;
    private volatile java.util.List<Integer> voters = java.util.List.of();
    private volatile boolean logSettled;

    /**
     * @param members        the cluster's members, from this node's views: brokers of failed or removed ones are gone
     * @param stewardsQuorum whether this node is the one that changes the quorum's voters now
     * @param up             whether a node (by id) is up, by its heartbeats
     */
    public StewardScheduler(KafkaConnection kafka, java.util.function.Supplier<java.util.List<org.blockcloset.ledger.model.ClusterNode>> members,
            java.util.function.BooleanSupplier stewardsQuorum, java.util.function.Predicate<String> up) {
        this.kafka = kafka;
        this.members = members;
        this.stewardsQuorum = stewardsQuorum;
        this.up = up;
    }

    public void start() {
        admin = Admin.create(kafka.clientConfig());
        timer.scheduleWithFixedDelay(this::runOnce, 1, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    private void runOnce() {
        try {
            var nodes = members.get();
            java.util.Set<Integer> memberIds = new java.util.HashSet<>();
            java.util.Set<Integer> failed = new java.util.HashSet<>();
            nodes.forEach(n -> {
                memberIds.add(n.kraftId());
                if (n.failed() != null) {
                    failed.add(n.kraftId());
                }
            });
            // Before the membership view has loaded, nobody is gone.
            java.util.function.IntPredicate gone = id -> !memberIds.isEmpty() && (failed.contains(id) || !memberIds.contains(id));
            if (stewardsQuorum.getAsBoolean() && nodes.size() > 1) {
                // Voters first: the log's partitions are no use without a quorum to lead them.
                java.util.List<QuorumSteward.Candidate> candidates = nodes.stream()
                        .filter(n -> n.failed() == null && n.draining() == null && up.test(n.nodeId()))
                        .sorted(java.util.Comparator.comparingInt(org.blockcloset.ledger.model.ClusterNode::kraftId))
                        .map(n -> new QuorumSteward.Candidate(n.kraftId(), n.address().host(), n.address().controllerPort())).toList();
                try {
                    for (int i = 0; i < QuorumSteward.VOTERS && QuorumSteward.step(admin, gone, candidates).isPresent(); i++) {
                        // one voter change at a time, each committed before the next
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    LOG.warn("Changing the controller quorum's voters failed (retried in {} s): {}", PERIOD_SECONDS, e.toString());
                }
            }
            boolean settled = ReplicationSteward.raise(admin, 300, gone) == 0;
            // Published together, after both: a report never pairs new voters with an older pass's replicas.
            voters = QuorumSteward.voters(admin);
            logSettled = settled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            logSettled = false;
            LOG.warn("Raising the log's replication factor failed (retried in {} s): {}", PERIOD_SECONDS, e.toString());
        }
    }

    /** The metadata quorum's voters (KRaft ids) as last seen, every few seconds; empty before the first look. */
    public java.util.List<Integer> voters() {
        return voters;
    }

    /**
     * Whether the last pass found every partition of the log on live brokers at its factor (nothing
     * to move): the log then survives the next failure as well as it did the first.
     */
    public boolean logSettled() {
        return logSettled;
    }

    public void stop() {
        timer.shutdownNow();
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(5));
        }
    }
}
