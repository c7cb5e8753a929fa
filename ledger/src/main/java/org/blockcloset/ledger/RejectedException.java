package org.blockcloset.ledger;

import org.blockcloset.ledger.model.Rejection;
/** The event is in the log, but the views refused it: it changed nothing. */
public class RejectedException extends Exception {
    private final Rejection rejection;

    public RejectedException(Rejection rejection) {
        super(rejection.name());
        this.rejection = rejection;
    }

    public Rejection rejection() {
        return rejection;
    }
}
