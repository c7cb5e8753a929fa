package org.blockcloset.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An access key as the views hold it. Revoked keys stay, marked, for the audit trail.
 *
 * @param sealedSecret the secret sealed with the cluster's key (see {@code AccessKeyCreated})
 * @param secretKey    the secret in clear, only for keys created before secrets were sealed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccessKey(String accessKeyId, String sealedSecret, String description, boolean admin,
                        Instant created, Instant revoked, String secretKey) {
    public boolean active() {
        return revoked == null;
    }
}
