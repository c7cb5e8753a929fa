package org.blockcloset.ledger;

/** The log did not acknowledge an append, or the views did not apply it in time. Nothing is promised. */
public class LedgerUnavailableException extends Exception {
    public LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
