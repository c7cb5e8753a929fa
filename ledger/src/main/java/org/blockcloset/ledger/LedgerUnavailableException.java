package org.blockcloset.ledger;

/**
 * The log did not acknowledge an append, or the views did not apply it in time. Unless
 * {@link #definitelyNotWritten()}, the event may still be (or become) part of the log: callers
 * must not undo what the event refers to (its blocks) on this exception.
 */
public class LedgerUnavailableException extends Exception {
    private final boolean definitelyNotWritten;

    public LedgerUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public LedgerUnavailableException(String message, Throwable cause, boolean definitelyNotWritten) {
        super(message, cause);
        this.definitelyNotWritten = definitelyNotWritten;
    }

    /** True when the event was refused before it could reach the log (e.g. too large). */
    public boolean definitelyNotWritten() {
        return definitelyNotWritten;
    }
}
