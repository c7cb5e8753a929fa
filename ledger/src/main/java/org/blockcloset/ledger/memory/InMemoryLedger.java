package org.blockcloset.ledger.memory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.blockcloset.ledger.EventLog;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.codec.Json;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.view.Replay;
import org.blockcloset.ledger.view.ViewProgress;
import org.blockcloset.ledger.view.Views;

/**
 * The ledger without a broker: a list for the log and the views folded by the same code the node
 * runs ({@link Replay}: {@code ViewFold} into sorted maps, read by the same {@link Views}). Each
 * event goes through the log's JSON codec before the fold sees it, as on the node. For tests of
 * S3 handlers, services and console pages, which then run in milliseconds; appends are serialised
 * (one partition), reads may run beside them. Unlike the node, a fold that throws throws from the
 * append (the node refuses such an event as INVALID_EVENT and logs it).
 */
public final class InMemoryLedger implements Ledger {
    private final Clock clock;
    private final Replay replay = new Replay();
    private final List<EventLog.Entry> log = new ArrayList<>();

    public InMemoryLedger() {
        this(Clock.systemUTC());
    }

    /** @param clock stamps the envelope and the log's append time alike (one clock here) */
    public InMemoryLedger(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Appended appendWithOffset(String actor, String requestId, String source, Event event)
            throws RejectedException {
        Instant now = clock.instant();
        LoggedEvent written = new LoggedEvent(LoggedEvent.CURRENT_VERSION, UUID.randomUUID().toString(), actor,
                requestId, now, event, source);
        LoggedEvent logged = Json.read(Json.write(written), LoggedEvent.class);
        long offset = log.size();
        log.add(new EventLog.Entry(offset, logged, now));
        // A fold that throws is a bug the test must see, not the INVALID_EVENT refusal the node logs and answers.
        Rejection rejection = replay.applyOrThrow(logged, offset, now);
        if (rejection != null) {
            throw new RejectedException(rejection);
        }
        return new Appended(logged, 0, offset);
    }

    @Override
    public Views views() {
        return replay.views();
    }

    @Override
    public EventLog openEventLog() {
        return new EventLog() {
            @Override
            public long end() {
                synchronized (InMemoryLedger.this) {
                    return log.size();
                }
            }

            @Override
            public long offsetAt(Instant t) {
                synchronized (InMemoryLedger.this) {
                    for (EventLog.Entry e : log) {
                        if (!e.appended().isBefore(t)) {
                            return e.offset();
                        }
                    }
                    return log.size();
                }
            }

            @Override
            public List<Entry> read(long from, long to) {
                synchronized (InMemoryLedger.this) {
                    int a = (int) Math.max(0, Math.min(from, log.size()));
                    int b = (int) Math.max(a, Math.min(to, log.size()));
                    return List.copyOf(log.subList(a, b));
                }
            }

            @Override
            public void close() {
            }
        };
    }

    /** Every append is applied before it returns: nothing to wait for. */
    @Override
    public void catchUp() {
    }

    @Override
    public long lag() {
        return 0;
    }

    @Override
    public ViewProgress progress() {
        return replay.progress();
    }

    @Override
    public boolean referencesTrusted() {
        return true;
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public boolean viewsRunning() {
        return true;
    }

    @Override
    public String viewsState() {
        return "RUNNING";
    }

    @Override
    public void close() {
    }
}
