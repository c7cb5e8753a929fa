package org.blockcloset.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link HangingTransactions} must leave alone, on a real single-broker log: a transaction
 * that its coordinator still owns (its producer not fenced), however long it has been open, and
 * another application's. (A hanging one, fenced but never given its markers, comes only from the
 * coordinator's restart race it repairs; a correct coordinator aborts a fenced producer's
 * transaction itself, so a test cannot make one.)
 */
class HangingTransactionsTest {
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTransactionItsCoordinatorStillOwnsIsLeftAlone(@TempDir Path data) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(KafkaSettings.withFreePorts(data));
             Admin admin = Admin.create(kafka.connection().clientConfig())) {
            String changelog = "blockcloset-views-objects-changelog";
            String other = "another-app-objects-changelog";
            admin.createTopics(List.of(new NewTopic(changelog, 1, (short) 1), new NewTopic(other, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            TopicPartition tp = new TopicPartition(changelog, 0);
            TopicPartition otherTp = new TopicPartition(other, 0);
            try (KafkaProducer<String, String> views = producer(kafka, "blockcloset-views-test-1");
                 KafkaProducer<String, String> stranger = producer(kafka, "another-app-test-1")) {
                views.initTransactions();
                views.beginTransaction();
                views.send(new ProducerRecord<>(changelog, "k", "v")).get(30, TimeUnit.SECONDS);
                stranger.initTransactions();
                stranger.beginTransaction();
                stranger.send(new ProducerRecord<>(other, "k", "v")).get(30, TimeUnit.SECONDS);
                assertEquals(0, stableEnd(kafka, tp), "the open transaction holds the stable offset");

                assertEquals(0, HangingTransactions.abortHanging(admin, "blockcloset-views", List.of("objects")),
                        "the views' own live transaction: its coordinator ends it");
                assertEquals(0, stableEnd(kafka, tp));
                assertEquals(0, HangingTransactions.abortHanging(admin, "another-app", List.of("unrelated")),
                        "a store that is not the transaction's");
                assertEquals(0, stableEnd(kafka, otherTp));
                views.commitTransaction();
                stranger.abortTransaction();
            }
            // The coordinator writes the commit's markers after the commit returns: wait for them (bounded).
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long end = stableEnd(kafka, tp);
            while (end < 2 && System.nanoTime() < until) {
                end = stableEnd(kafka, tp);
            }
            assertEquals(2, end, "committed by its own producer: the record and its marker");
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String transactionalId) {
        Map<String, Object> config = kafka.connection().clientConfig();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(10).toMillis());
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** The end a read-committed consumer sees: the last stable offset. */
    private static long stableEnd(EmbeddedKafka kafka, TopicPartition tp) {
        Map<String, Object> config = kafka.connection().clientConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            return c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        }
    }
}
