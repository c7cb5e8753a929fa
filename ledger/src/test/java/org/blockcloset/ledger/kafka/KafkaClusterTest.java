package org.blockcloset.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log grows from one node to a three-node cluster in place: two nodes join the first one's
 * dynamic controller quorum, every topic's replication factor is raised online to 3 with
 * min.insync.replicas 2, and the log survives the first node's departure.
 */
class KafkaClusterTest {
    private static final String TOPIC = "grow-test";

    /**
     * Three brokers share this JVM: when the last one stops after the others took the quorum with
     * them, its shutdown cannot finish and Kafka halts the process on that fatal fault (right for a
     * node's own process, fatal for the test run's other tests), possibly after this class ended.
     * Record it instead, for the rest of this test JVM.
     */
    @org.junit.jupiter.api.BeforeAll
    static void keepTheJvm() {
        org.apache.kafka.common.utils.internals.Exit.setHaltProcedure((code, message) ->
                System.out.printf("Kafka asked to halt (%d): %s%n", code, message));
        org.apache.kafka.common.utils.internals.Exit.setExitProcedure((code, message) ->
                System.out.printf("Kafka asked to exit (%d): %s%n", code, message));
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void growsFromOneToThreeNodesAndOutlivesTheFirst(@TempDir Path dir) throws Exception {
        KafkaSettings base = KafkaSettings.withFreePorts(dir.resolve("n1"));
        KafkaSettings s1 = base.withNode(1, "127.0.0.2", KafkaSettings.Quorum.FIRST);
        List<EmbeddedKafka> nodes = new ArrayList<>();
        try {
            EmbeddedKafka n1 = EmbeddedKafka.start(s1);
            nodes.add(n1);
            try (Admin admin = Admin.create(n1.connection().clientConfig())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            produce(n1.connection(), "one-node-", 20);

            for (int id = 2; id <= 3; id++) {
                KafkaSettings s = KafkaSettings.withFreePorts(dir.resolve("n" + id)).withPassword(s1.password())
                        .withNode(id, "127.0.0." + (id + 1), new KafkaSettings.Quorum(n1.clusterId(), s1.controllerAddress(), true));
                long t0 = System.nanoTime();
                EmbeddedKafka n = EmbeddedKafka.start(s);
                n.becomeVoter(Duration.ofSeconds(60));
                nodes.add(n);
                System.out.printf("node %d joined (broker + voter) in %d ms%n", id, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
            KafkaConnection all = KafkaConnection.scram(
                    String.join(",", nodes.stream().map(EmbeddedKafka::bootstrapServers).toList()), s1.password());
            try (Admin admin = Admin.create(all.clientConfig())) {
                QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
                assertEquals(Set.of(1, 2, 3), Set.copyOf(quorum.voters().stream().map(QuorumInfo.ReplicaState::replicaId).toList()));
                long t0 = System.nanoTime();
                int moved = ReplicationSteward.raise(admin, 120);
                System.out.printf("raised %d partition(s) to RF 3 in %d ms%n", moved, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                assertTrue(moved >= 1);
                admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC).partitions()
                        .forEach(p -> assertEquals(3, p.replicas().size()));
                assertEquals("2", admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC)))
                        .all().get(30, TimeUnit.SECONDS).values().iterator().next().get("min.insync.replicas").value());
                assertEquals(0, ReplicationSteward.raise(admin, 120), "idempotent");
            }
            produce(all, "three-nodes-", 20);

            nodes.remove(0).close();
            KafkaConnection survivors = KafkaConnection.scram(
                    String.join(",", nodes.stream().map(EmbeddedKafka::bootstrapServers).toList()), s1.password());
            long t0 = System.nanoTime();
            produce(survivors, "after-loss-", 20);
            System.out.printf("20 acks=all writes after the first node left: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            List<String> values = readAll(survivors, 60);
            assertEquals(60, values.size(), values.toString());
            assertEquals("one-node-0", values.get(0));
            assertEquals("after-loss-19", values.get(59));
        } finally {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
        }
    }

    private static void produce(KafkaConnection c, String prefix, int n) throws Exception {
        Map<String, Object> config = c.clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                p.send(new ProducerRecord<>(TOPIC, "k", prefix + i)).get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> readAll(KafkaConnection c, int expected) {
        Map<String, Object> config = c.clientConfig();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> out = new ArrayList<>();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
