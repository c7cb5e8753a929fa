package org.blockcloset.ledger.model;

import java.time.Instant;

/** An access key as the views hold it. Revoked keys stay, marked, for the audit trail. */
public record AccessKey(String accessKeyId, String secretKey, String description, boolean admin,
                        Instant created, Instant revoked) {
    public boolean active() {
        return revoked == null;
    }
}
