package org.blockcloset.gateway.node;

import java.time.Instant;
import java.util.UUID;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.AccessKeyCreated;

/** Making access keys, for the admin API and the console alike: the secret is returned once and logged only sealed. */
public final class AccessKeys {
    private AccessKeys() {
    }

    public record Created(String accessKeyId, String secretAccessKey) {
    }

    public static Created create(Ledger ledger, SecretBox box, String actor, String description, boolean admin)
            throws RejectedException, LedgerUnavailableException {
        String id = "BC" + BootstrapKey.random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 18);
        String secret = BootstrapKey.random("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);
        ledger.append(actor, UUID.randomUUID().toString(),
                new AccessKeyCreated(id, box.seal(secret, id), description, admin, Instant.now(), null));
        return new Created(id, secret);
    }
}
