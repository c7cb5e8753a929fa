package org.blockcloset.gateway.cluster;

import io.dropwizard.lifecycle.Managed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.blockcloset.ledger.kafka.KafkaConnection;
import org.blockcloset.ledger.kafka.ReplicationSteward;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ReplicationSteward} every few seconds on every node: when brokers join, every topic
 * (new changelogs of a joining node's views included) is raised to min(3, brokers) replicas soon
 * after; replicas on the broker of a node recorded as failed, or removed, move to live brokers.
 * Idempotent, so several nodes running it at once is harmless.
 */
public final class StewardScheduler implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(StewardScheduler.class);
    private static final long PERIOD_SECONDS = 10;

    private final KafkaConnection kafka;
    private final java.util.function.Supplier<java.util.List<org.blockcloset.ledger.model.ClusterNode>> members;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "replication-steward");
        t.setDaemon(true);
        return t;
    });
    private Admin admin;

    /** @param members the cluster's members, from this node's views: brokers of failed or removed ones are gone */
    public StewardScheduler(KafkaConnection kafka, java.util.function.Supplier<java.util.List<org.blockcloset.ledger.model.ClusterNode>> members) {
        this.kafka = kafka;
        this.members = members;
    }

    @Override
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
            ReplicationSteward.raise(admin, 300, id -> !memberIds.isEmpty() && (failed.contains(id) || !memberIds.contains(id)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Raising the log's replication factor failed (retried in {} s): {}", PERIOD_SECONDS, e.toString());
        }
    }

    @Override
    public void stop() {
        timer.shutdownNow();
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(5));
        }
    }
}
