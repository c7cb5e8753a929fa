package org.blockcloset.ledger.service;

import org.blockcloset.ledger.model.Rejection;

/**
 * A change a service refused, with what to tell people. Either the service refused it before
 * appending anything (malformed, or the state does not allow it), or the views refused the event
 * in log order ({@link #rejection()} then says why): either way nothing changed.
 */
public final class ChangeRefusedException extends Exception {
    /** How a caller answers: S3, the admin API and the console each map these to their own terms. */
    public enum Reason {
        /** The request itself is wrong (a bad name, a negative quota). */
        INVALID,
        /** What it names does not exist. */
        NOT_FOUND,
        /** The state does not allow it now (a bucket not empty, the last admin key). */
        CONFLICT
    }

    private final Reason reason;
    private final Rejection rejection;

    public ChangeRefusedException(Reason reason, String message) {
        this(reason, null, message);
    }

    public ChangeRefusedException(Reason reason, Rejection rejection, String message) {
        super(message);
        this.reason = reason;
        this.rejection = rejection;
    }

    public Reason reason() {
        return reason;
    }

    /** Why the views refused the event, or null when the service refused before appending. */
    public Rejection rejection() {
        return rejection;
    }
}
