package org.blockcloset.ledger.view;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.event.LoggedEvent;

/**
 * The views rebuilt from the log in memory, by the same fold the node runs, one event at a time:
 * "the store as of" any point of the log. {@link #apply} tells, like the live fold, whether an event
 * changed the state or was refused (and why).
 */
public final class Replay {
    private final Map<String, MapStore<?>> stores = new HashMap<>();
    private final ViewProgress progress = new ViewProgress();
    private final ViewFold fold = new ViewFold(progress);
    private final Views views;
    private long events;

    public Replay() {
        StoreNames.ALL.forEach(name -> stores.put(name, new MapStore<>(name)));
        fold.bind(stores::get);
        views = new Views(stores::get, progress);
    }

    /** As {@link #apply(LoggedEvent, long, java.time.Instant)}, appended at the time its envelope says. */
    public Rejection apply(LoggedEvent event, long offset) {
        return apply(event, offset, event.time());
    }

    /**
     * Applies an event found at {@code offset} of the log, appended at {@code appended}; null when it
     * changed the state, else why the fold refused it.
     */
    public Rejection apply(LoggedEvent event, long offset, java.time.Instant appended) {
        events++;
        Rejection outcome;
        try {
            outcome = fold.apply(event, offset, appended);
        } catch (RuntimeException e) {
            outcome = Rejection.INVALID_EVENT;
        }
        progress.applied(0, offset, outcome);
        return outcome;
    }

    /**
     * As {@link #apply(LoggedEvent, long, java.time.Instant)}, but a fold that throws throws here
     * too (recorded as refused): for the in-memory ledger's tests, where a crash must not pass for a
     * refusal.
     */
    public Rejection applyOrThrow(LoggedEvent event, long offset, java.time.Instant appended) {
        events++;
        try {
            Rejection outcome = fold.apply(event, offset, appended);
            progress.applied(0, offset, outcome);
            return outcome;
        } catch (RuntimeException e) {
            progress.applied(0, offset, Rejection.INVALID_EVENT);
            throw e;
        }
    }

    /** How far this replay has applied the log, and what it refused. */
    public ViewProgress progress() {
        return progress;
    }

    /** The views as of the last applied event. */
    public Views views() {
        return views;
    }

    public long events() {
        return events;
    }
}
