package org.blockcloset.gateway.object;

import java.io.IOException;

/** Too few replicas confirmed a block for the write to be acknowledged; the client may retry. */
public final class ReplicationException extends IOException {
    public ReplicationException(String message) {
        super(message);
    }
}
