package org.blockcloset.ledger.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * A transaction left open on a views' changelog holds its last stable offset, so a read-committed
 * restore waits; {@link HangingTransactions} aborts it on a single-broker log, and leaves young ones
 * and other topics alone. The open transaction here is a producer's that went away with a
 * transaction timeout of ten minutes: to the log it looks like one whose markers were skipped.
 */
class HangingTransactionsTest {
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void anOpenTransactionNoOneEndsIsAborted(@TempDir Path data) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(KafkaSettings.withFreePorts(data));
             Admin admin = Admin.create(kafka.connection().clientConfig())) {
            String changelog = "blockcloset-views-objects-changelog";
            String other = "someone-else";
            admin.createTopics(List.of(new NewTopic(changelog, 1, (short) 1), new NewTopic(other, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            TopicPartition tp = new TopicPartition(changelog, 0);
            TopicPartition otherTp = new TopicPartition(other, 0);
            Map<String, Object> config = kafka.connection().clientConfig();
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "blockcloset-views-test-1");
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(10).toMillis());
            KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(changelog, "k", "v")).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(other, "k", "v")).get(30, TimeUnit.SECONDS);
            // Gone without committing or aborting; the coordinator would wait ten minutes.
            producer.close(Duration.ZERO);
            assertEquals(0, stableEnd(kafka, tp), "the open transaction holds the stable offset");

            assertEquals(0, HangingTransactions.abortHanging(admin, "blockcloset-views-", Duration.ofMinutes(1)),
                    "a transaction written a moment ago is not hanging yet");
            assertEquals(1, HangingTransactions.abortHanging(admin, "blockcloset-views-", Duration.ZERO),
                    "aborted on the views' changelog only");
            assertTrue(stableEnd(kafka, tp) >= 2, "the changelog's stable offset moved past the transaction and its marker");
            assertEquals(0, stableEnd(kafka, otherTp), "another topic's transaction is not ours to end");
        }
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
