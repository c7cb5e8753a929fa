package org.blockcloset.ledger;

import org.blockcloset.ledger.codec.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.kafka.KafkaConnection;

/**
 * Reads the event log itself, newest first or oldest first, for the audit timeline and for replays.
 * The log has one partition (its order is the fold's order), so an event's offset is its place in
 * history. Reads are read_committed and bounded: a page scans at most a given number of events and
 * says where to go on.
 */
public final class EventLog implements AutoCloseable {
    private static final TopicPartition TP = new TopicPartition(Ledger.EVENTS_TOPIC, 0);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    private static final int CHUNK = 500;
    private final KafkaConsumer<String, LoggedEvent> consumer;

    EventLog(KafkaConnection kafka) {
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

    /** One event, its place in the log and the time the log appended it (ADR 0004). */
    public record Entry(long offset, LoggedEvent event, java.time.Instant appended) {
    }

    /**
     * A page of the timeline, newest first.
     *
     * @param next    the {@code before} of the next (older) page, or -1 at the start of the log
     * @param scanned events read for this page (matching or not)
     */
    public record Page(List<Entry> entries, long next, long scanned) {
    }

    /** The offset after the last event. */
    public synchronized long end() {
        return consumer.endOffsets(List.of(TP), READ_TIMEOUT).get(TP);
    }

    /** The offset of the first event logged at or after {@code t} (the end when there is none). */
    public synchronized long offsetAt(Instant t) {
        OffsetAndTimestamp o = consumer.offsetsForTimes(Map.of(TP, t.toEpochMilli()), READ_TIMEOUT).get(TP);
        return o == null ? end() : o.offset();
    }

    /**
     * Up to {@code limit} events that match, newest first, from those before offset {@code before}
     * (Long.MAX_VALUE: from the end), reading at most {@code budget} events.
     */
    public synchronized Page newestFirst(Predicate<LoggedEvent> filter, long before, int limit, long budget) {
        long upTo = Math.min(before, end());
        List<Entry> out = new ArrayList<>();
        long scanned = 0;
        while (upTo > 0 && out.size() < limit && scanned < budget) {
            long from = Math.max(0, upTo - CHUNK);
            List<Entry> chunk = read(from, upTo);
            scanned += chunk.size();
            Collections.reverse(chunk);
            for (Entry e : chunk) {
                if (out.size() == limit) {
                    return new Page(out, e.offset() + 1, scanned);
                }
                if (filter.test(e.event())) {
                    out.add(e);
                }
            }
            upTo = from;
        }
        return new Page(out, upTo > 0 ? upTo : -1, scanned);
    }

    /** Every event with an offset in [from, to), oldest first, to {@code visitor}. */
    public synchronized void forEach(long from, long to, java.util.function.Consumer<Entry> visitor) {
        long at = from;
        while (at < to) {
            List<Entry> chunk = read(at, Math.min(to, at + CHUNK * 20L));
            if (chunk.isEmpty()) {
                break;
            }
            chunk.forEach(visitor);
            at = chunk.get(chunk.size() - 1).offset() + 1;
        }
    }

    /** Events in [from, to), oldest first; transaction markers and aborted records take offsets but yield nothing. */
    private List<Entry> read(long from, long to) {
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
