package org.blockcloset.ledger.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * PutObjectRetention or PutObjectLegalHold on one version. A field left null is not changed.
 *
 * @param s3VersionId      the version ("null" for the null version); null: the current one
 * @param mode             GOVERNANCE or COMPLIANCE, or "" to remove the retention (GOVERNANCE with bypass only)
 * @param bypassGovernance the caller asked to bypass GOVERNANCE retention and may do so
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectLockChanged(String bucket, String key, String s3VersionId, String mode, Instant retainUntil,
                                Boolean legalHold, Boolean bypassGovernance) implements Event {
    @Override
    public String entityKey() {
        return Keys.object(bucket, key);
    }
}
