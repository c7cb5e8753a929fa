package org.blockcloset.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.blockcloset.ledger.event.LoggedEvent;

/**
 * Reads the event log itself, newest first or oldest first, for the audit timeline and for replays.
 * The log has one partition (its order is the fold's order), so an event's offset is its place in
 * history. Reads are of committed events and bounded: a page scans at most a given number of events
 * and says where to go on.
 */
public interface EventLog extends AutoCloseable {
    /** How many events a page reads at a time. */
    int CHUNK = 500;

    /** One event, its place in the log and the time the log appended it (ADR 0004). */
    record Entry(long offset, LoggedEvent event, Instant appended) {
    }

    /**
     * A page of the timeline, newest first.
     *
     * @param next    the {@code before} of the next (older) page, or -1 at the start of the log
     * @param scanned events read for this page (matching or not)
     */
    record Page(List<Entry> entries, long next, long scanned) {
    }

    /** The offset after the last event. */
    long end();

    /** The offset of the first event logged at or after {@code t} (the end when there is none). */
    long offsetAt(Instant t);

    /** Events in [from, to), oldest first; offsets that hold no event (transaction markers, aborted records) yield nothing. */
    List<Entry> read(long from, long to);

    @Override
    void close();

    /**
     * Up to {@code limit} events that match, newest first, from those before offset {@code before}
     * (Long.MAX_VALUE: from the end), reading at most {@code budget} events.
     */
    default Page newestFirst(Predicate<LoggedEvent> filter, long before, int limit, long budget) {
        long upTo = Math.min(before, end());
        List<Entry> out = new ArrayList<>();
        long scanned = 0;
        while (upTo > 0 && out.size() < limit && scanned < budget) {
            long from = Math.max(0, upTo - CHUNK);
            List<Entry> chunk = new ArrayList<>(read(from, upTo));
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
    default void forEach(long from, long to, Consumer<Entry> visitor) {
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
}
