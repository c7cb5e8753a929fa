package org.blockcloset.ledger.event;

import java.time.Instant;

/**
 * An access key was issued. SigV4 needs the secret on the server, so the log holds it; the log's
 * directory is the node's private data (see ADR 0001).
 */
public record AccessKeyCreated(String accessKeyId, String secretKey, String description, boolean admin, Instant created)
        implements Event {
    @Override
    public String entityKey() {
        return Keys.accessKey(accessKeyId);
    }
}
