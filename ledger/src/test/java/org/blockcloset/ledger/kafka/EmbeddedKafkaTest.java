package org.blockcloset.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    private static final String TOPIC = "ledger-test-events";
    private static final int RECORDS = 100;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    /**
     * The controller answers createTopics before the broker has loaded the new topic's metadata: ask
     * until the broker knows it (bounded), so the assertions below are about its configs, not the race.
     */
    private static Map<ConfigResource, Config> describeOnceKnown(Admin admin, List<ConfigResource> resources) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    void producesConsumesAndSurvivesRestartOnTheSameDirectory(@TempDir Path data) throws Exception {
        KafkaSettings settings = KafkaSettings.withFreePorts(data);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            expected.add("event-" + i);
        }

        String clusterId;
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(settings)) {
            System.out.printf("EmbeddedKafka cold start (format + start + ready): %d ms%n", millisSince(t0));
            assertEquals(settings.host() + ":" + settings.brokerPort(), kafka.bootstrapServers());
            clusterId = kafka.clusterId();

            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);

                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                        Integer.toString(settings.nodeId()));
                Map<ConfigResource, Config> configs = describeOnceKnown(admin, List.of(topic, broker));
                assertEquals("1", configs.get(topic).get("flush.messages").value(),
                        "topic's effective flush.messages (fsync every append)");
                assertEquals("1", configs.get(broker).get("log.flush.interval.messages").value());
                assertEquals("16777216", configs.get(topic).get("max.message.bytes").value());
                assertEquals("1", configs.get(topic).get("min.insync.replicas").value());
                assertEquals("false", configs.get(topic).get("unclean.leader.election.enable").value());
                assertEquals("false", configs.get(broker).get("auto.create.topics.enable").value());
            }

            long t1 = System.nanoTime();
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int i = 0; i < RECORDS; i++) {
                    acks.add(producer.send(new ProducerRecord<>(TOPIC, "k" + i, expected.get(i))));
                }
                for (int i = 0; i < RECORDS; i++) {
                    RecordMetadata ack = acks.get(i).get(30, TimeUnit.SECONDS);
                    assertEquals(i, ack.offset(), "offset of acknowledged record " + i);
                }
            }
            System.out.printf("100 records acknowledged (acks=all, idempotent): %d ms%n", millisSince(t1));

            assertEquals(expected, consumeAll(kafka));
        }

        long t2 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(settings)) {
            System.out.printf("EmbeddedKafka restart on the same directory: %d ms%n", millisSince(t2));
            assertEquals(clusterId, kafka.clusterId(), "restart reuses the formatted cluster id");
            assertEquals(expected, consumeAll(kafka));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void closeReturnsWithinTheBound(@TempDir Path data) {
        long started = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start(KafkaSettings.withFreePorts(data));
        System.out.printf("EmbeddedKafka cold start (format + start + ready): %d ms%n", millisSince(started));
        long t0 = System.nanoTime();
        kafka.close();
        long closeMillis = millisSince(t0);
        System.out.printf("EmbeddedKafka close: %d ms%n", closeMillis);
        assertTrue(closeMillis < EmbeddedKafka.SHUTDOWN_TIMEOUT.toMillis() + 2_000,
                "close() took " + closeMillis + " ms");
        long t1 = System.nanoTime();
        kafka.close(); // idempotent
        assertTrue(millisSince(t1) < 1_000);
    }

    private static List<String> consumeAll(EmbeddedKafka kafka) {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        List<String> values = new ArrayList<>();
        Map<String, Object> config = kafka.connection().clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config,
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        Map<String, Object> config = kafka.connection().clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(kafka.connection().clientConfig());
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
