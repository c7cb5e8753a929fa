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
 * after. Idempotent, so several nodes running it at once is harmless.
 */
public final class StewardScheduler implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(StewardScheduler.class);
    private static final long PERIOD_SECONDS = 10;

    private final KafkaConnection kafka;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "replication-steward");
        t.setDaemon(true);
        return t;
    });
    private Admin admin;

    public StewardScheduler(KafkaConnection kafka) {
        this.kafka = kafka;
    }

    @Override
    public void start() {
        admin = Admin.create(kafka.clientConfig());
        timer.scheduleWithFixedDelay(this::runOnce, 1, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    private void runOnce() {
        try {
            ReplicationSteward.raise(admin, 300);
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
