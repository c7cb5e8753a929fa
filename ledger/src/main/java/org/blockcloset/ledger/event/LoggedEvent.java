package org.blockcloset.ledger.event;

import java.time.Instant;

/**
 * The envelope written to the log around every event.
 *
 * @param v         schema version of the envelope and its payload; readers upgrade older versions
 * @param id        unique id of this event
 * @param actor     access key id that caused it ("system" for the node itself)
 * @param requestId the S3 or admin request id, so the audit timeline joins events to requests
 * @param time      when the gateway accepted the request
 * @param source    the client address the request came from (null for the node's own events and
 *                  for events logged before it was recorded)
 */
public record LoggedEvent(int v, String id, String actor, String requestId, Instant time, Event event, String source) {
    public static final int CURRENT_VERSION = 1;
}
