package org.blockcloset.ledger;

import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.view.ViewProgress;
import org.blockcloset.ledger.view.Views;

/**
 * The event log and the views folded from it: what every other module sees of the ledger (ADR
 * 0016). An append returns only once the event is durable in the log and applied by the views, so
 * the caller may answer its client: every later read sees the event. The node runs
 * {@code kafka.KafkaLedger}; tests of handlers, services and pages run {@code memory.InMemoryLedger},
 * the same fold without a broker.
 */
public interface Ledger extends AutoCloseable {
    /** Where an appended event landed in the log; the log order of one partition is the fold order. */
    record Appended(LoggedEvent event, int partition, long offset) {
    }

    /**
     * Appends an event for {@code actor} (an access key id, a node, "console:<user>") and waits until
     * it is durable and applied; {@code source} is the client's address for the audit timeline, or null.
     *
     * @throws RejectedException          the views refused it (the log's order decided against it)
     * @throws LedgerUnavailableException not confirmed in time (it may still apply), or the log is down
     */
    Appended appendWithOffset(String actor, String requestId, String source, Event event)
            throws RejectedException, LedgerUnavailableException;

    /** {@link #appendWithOffset} of a client's request, without where it landed. */
    default LoggedEvent append(String actor, String requestId, String source, Event event)
            throws RejectedException, LedgerUnavailableException {
        return appendWithOffset(actor, requestId, source, event).event();
    }

    /** {@link #appendWithOffset} of the node's own work (no client address). */
    default LoggedEvent append(String actor, String requestId, Event event) throws RejectedException, LedgerUnavailableException {
        return appendWithOffset(actor, requestId, null, event).event();
    }

    /** The views: read-only queries of the state the log folds to. */
    Views views();

    /** A reader of the log itself (the audit timeline, replays); the caller closes it. */
    EventLog openEventLog();

    /**
     * The read barrier for strong read-after-write across gateways (ADR 0004): returns once this
     * node's views have applied every event appended anywhere before the call.
     */
    void catchUp() throws LedgerUnavailableException;

    /** Events in the log this node's views have not applied yet; -1 when the log's end cannot be read. */
    long lag();

    /** How far the views have applied the log, and what they refused lately. */
    ViewProgress progress();

    /**
     * Whether the reference counts may be used to delete blocks: true unless the views' thread
     * failed since start (its replacement briefly serves state rolled back to the last commit).
     */
    boolean referencesTrusted();

    /** True once the views caught up with the log at start, and while they keep running. */
    boolean ready();

    /** Whether the views are running (not starting, restoring after a failover, or stopped). */
    boolean viewsRunning();

    /** The views' state as people read it in a health check ("RUNNING", "REBALANCING", ...). */
    String viewsState();

    @Override
    void close();
}
