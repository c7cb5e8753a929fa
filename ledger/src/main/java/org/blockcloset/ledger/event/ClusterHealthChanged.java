package org.blockcloset.ledger.event;

/**
 * The cluster's health changed as the acting node (the steward) saw it: {@code subject} is
 * {@code redundancy}, {@code node:<id>}, {@code disk:<id>} or {@code scrub:<id>}, {@code state} its
 * new state (OK, DEGRADED, UNAVAILABLE; up, down; ok, nearly-full; corruption), {@code message}
 * the line people read. On the audit timeline, and sent to the alert webhook when one is set.
 */
public record ClusterHealthChanged(String subject, String state, String message) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
