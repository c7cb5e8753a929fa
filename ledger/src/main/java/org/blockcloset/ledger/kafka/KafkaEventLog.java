package org.blockcloset.ledger.kafka;

import org.blockcloset.ledger.codec.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.EventLog;

/** The event log read with a Kafka consumer (read_committed), a page of at most {@link #CHUNK} at a time. */
public final class KafkaEventLog implements EventLog {
    private static final TopicPartition TP = new TopicPartition(KafkaLedger.EVENTS_TOPIC, 0);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    private final KafkaConsumer<String, LoggedEvent> consumer;

    KafkaEventLog(KafkaConnection kafka) {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, CHUNK);
        // A page reads what is there: the broker should answer at once, not wait for more to arrive.
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), Json.serde(LoggedEvent.class).deserializer());
        consumer.assign(List.of(TP));
    }

    /** The offset after the last event. */
    @Override
    public synchronized long end() {
        return consumer.endOffsets(List.of(TP), READ_TIMEOUT).get(TP);
    }

    /** The offset of the first event logged at or after {@code t} (the end when there is none). */
    @Override
    public synchronized long offsetAt(Instant t) {
        OffsetAndTimestamp o = consumer.offsetsForTimes(Map.of(TP, t.toEpochMilli()), READ_TIMEOUT).get(TP);
        return o == null ? end() : o.offset();
    }

    /** Events in [from, to), oldest first; transaction markers and aborted records take offsets but yield nothing. */
    @Override
    public synchronized List<Entry> read(long from, long to) {
        consumer.seek(TP, from);
        List<Entry> out = new ArrayList<>();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (consumer.position(TP, READ_TIMEOUT) < to) {
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException("reading the event log from " + from + " timed out");
            }
            for (ConsumerRecord<String, LoggedEvent> r : consumer.poll(POLL).records(TP)) {
                if (r.offset() >= to) {
                    return out;
                }
                if (r.value() != null) {
                    out.add(new Entry(r.offset(), r.value(), java.time.Instant.ofEpochMilli(r.timestamp())));
                }
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
