package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
/**
 * The log did not confirm a write in time: the event may still apply. The request fails with 503
 * (clients retry), but what the event refers to must be kept, not discarded: if the event lands,
 * its blocks are needed; if it never does, garbage collection reclaims them.
 */
public final class OutcomeUnknownException extends S3Exception {
    public OutcomeUnknownException(Throwable cause) {
        super(S3Error.SERVICE_UNAVAILABLE, "The event log did not confirm the write in time; retry the request.", cause);
    }
}
