package org.blockcloset.ledger.view;

/**
 * The views cannot be read at this moment: this node's view tasks are being restored or moved (as
 * after a broker failover, or while the node starts). Reads may retry once the views run again
 * ({@link org.blockcloset.ledger.Ledger#viewsRunning()}). The ledger's own word for it, so no caller needs Kafka's.
 */
public final class ViewsUnavailableException extends RuntimeException {
    public ViewsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
