package org.blockcloset.gateway.node;

import org.blockcloset.gateway.auth.SecretBox;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.model.AccessKey;

/**
 * Making access keys, for the admin API and the console alike: the secret is returned once and
 * logged only sealed. A key that is not an admin key reaches only what it is given: no bucket at
 * all unless its maker names some, and "every bucket" only as read or write, never as owner
 * (which can lift legal holds, bypass governance and delete versions for good).
 */
public final class AccessKeys {
    private AccessKeys() {
    }

    public record Created(String accessKeyId, String secretAccessKey) {
    }

    /**
     * @param buckets what a key that is not an admin key reaches ({@link #check}ed); null: no bucket
     *                yet. Ignored for admin keys, which reach everything.
     */
    public static Created create(Ledger ledger, SecretBox box, String actor, String description, boolean admin,
                                 Map<String, String> buckets) throws RejectedException, LedgerUnavailableException {
        String problem = admin ? null : check(buckets);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        String id = "BC" + BootstrapKey.random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 18);
        String secret = BootstrapKey.random("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);
        ledger.append(actor, UUID.randomUUID().toString(), new AccessKeyCreated(id, box.seal(secret, id), description, admin,
                Instant.now(), null, admin ? null : new TreeMap<>(buckets == null ? Map.of() : buckets)));
        return new Created(id, secret);
    }

    /** What is wrong with a key's bucket map, or null: {@link AccessKey#bucketsProblem}, levels written in lower case. */
    public static String check(Map<String, String> buckets) {
        if (buckets != null && buckets.values().stream().anyMatch(v -> v == null || !v.equals(v.toLowerCase(java.util.Locale.ROOT)))) {
            return "a bucket's permission is read, write or owner";
        }
        return AccessKey.bucketsProblem(buckets);
    }
}
