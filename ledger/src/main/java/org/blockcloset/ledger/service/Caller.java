package org.blockcloset.ledger.service;

import java.util.UUID;

/**
 * Who asks a service for a change, as its event records it.
 *
 * @param actor     an access key id, "console:&lt;user&gt;", a node
 * @param requestId the request's id (the audit timeline groups by it)
 * @param source    the client's address, or null for the node's own work
 */
public record Caller(String actor, String requestId, String source) {
    /** A caller whose request has no id of its own. */
    public static Caller of(String actor, String source) {
        return new Caller(actor, UUID.randomUUID().toString(), source);
    }
}
