package org.blockcloset.ledger.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An access key was issued. SigV4 needs the secret on the server, so the log holds it, sealed
 * (AES-GCM) with a key derived from the cluster secret, which is kept outside the log: reading the
 * log, its changelogs or the views' RocksDB does not reveal it (ADR 0007).
 *
 * @param sealedSecret the secret, sealed by the gateway; the ledger never sees it in clear
 * @param secretKey    the secret in clear, as events before sealing carried it; null in new events
 * @param buckets      what the key reaches from the start ({@code AccessKey#buckets}): an empty map
 *                     (no bucket yet) unless given; null in admin keys' events and in events from
 *                     before keys started with no bucket, which reach every bucket
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccessKeyCreated(String accessKeyId, String sealedSecret, String description, boolean admin,
                               Instant created, String secretKey, java.util.Map<String, String> buckets) implements Event {
    /** A key that reaches every bucket (an admin key, the bootstrap key). */
    public AccessKeyCreated(String accessKeyId, String sealedSecret, String description, boolean admin, Instant created,
                            String secretKey) {
        this(accessKeyId, sealedSecret, description, admin, created, secretKey, null);
    }

    @Override
    public String entityKey() {
        return Keys.accessKey(accessKeyId);
    }
}
