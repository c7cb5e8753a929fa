package org.blockcloset.ledger.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A bucket was created.
 *
 * @param objectLock true: created with object lock (versioning enabled and never suspended); null otherwise
 * @param acl        the canned ACL it was created with; null: private
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BucketCreated(String bucket, Instant created, Boolean objectLock, String acl) implements Event {
    public BucketCreated(String bucket, Instant created) {
        this(bucket, created, null, null);
    }

    @Override
    public String entityKey() {
        return Keys.bucket(bucket);
    }
}
