package org.blockcloset.ledger.service;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.event.AccessKeyPermissionsChanged;
import org.blockcloset.ledger.event.AccessKeyRevoked;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.seal.SecretBox;

/**
 * The one place access keys are made, limited and revoked (issue 18), for the admin API and the
 * console alike. A secret is returned once and goes into the log only sealed (ADR 0007). A key that
 * is not an admin key reaches only what it is given: no bucket unless its maker names some, and
 * "every bucket" only to read or write, never as owner (which can lift legal holds, bypass
 * governance and delete versions for good). The last active admin key is never revoked: nobody
 * could use the admin API after it.
 */
public final class AccessKeyService {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private final Ledger ledger;
    private final SecretBox box;
    private final Clock clock;

    public AccessKeyService(Ledger ledger, SecretBox box, Clock clock) {
        this.ledger = ledger;
        this.box = box;
        this.clock = clock;
    }

    /** A key made now: its secret, shown this once. */
    public record Created(String accessKeyId, String secretAccessKey) {
    }

    /**
     * @param buckets what a key that is not an admin key reaches (bucket or {@link AccessKey#EVERY_BUCKET}
     *                → read, write or owner); null or empty: no bucket yet. Ignored for admin keys.
     */
    public Created create(Caller c, String description, boolean admin, Map<String, String> buckets)
            throws ChangeRefusedException, LedgerUnavailableException {
        if (description != null && description.length() > 200) {
            throw Changes.invalid("The description is longer than 200 characters.");
        }
        if (!admin) {
            check(buckets);
        }
        String id = "BC" + random(ID_ALPHABET, 18);
        String secret = random(SECRET_ALPHABET, 40);
        Changes.append(ledger, c, new AccessKeyCreated(id, box.seal(secret, id), description == null ? "" : description, admin,
                clock.instant(), null, admin ? null : new TreeMap<>(buckets == null ? Map.of() : buckets)), "no key made");
        return new Created(id, secret);
    }

    /** What the key reaches from now on (replacing what it reached). */
    public Ledger.Appended setBuckets(Caller c, String id, Map<String, String> buckets)
            throws ChangeRefusedException, LedgerUnavailableException {
        check(buckets);
        return Changes.append(ledger, c, new AccessKeyPermissionsChanged(id, buckets), "permissions of " + id + " not changed");
    }

    public Ledger.Appended revoke(Caller c, String id) throws ChangeRefusedException, LedgerUnavailableException {
        String what = "key " + id + " not revoked";
        AccessKey k = ledger.views().accessKey(id).orElseThrow(() -> Changes.refused(Rejection.NO_SUCH_ACCESS_KEY, what));
        if (k.admin() && k.active() && ledger.views().accessKeys().stream().filter(o -> o.admin() && o.active()).count() <= 1) {
            throw new ChangeRefusedException(ChangeRefusedException.Reason.CONFLICT, "Key " + id + " is the last active admin "
                    + "key; create another admin key before revoking it, or nobody could use the admin API any more.");
        }
        return Changes.append(ledger, c, new AccessKeyRevoked(id), what);
    }

    /** Refuses a bucket map that is not {@link AccessKey#bucketsProblem valid}; levels are written in lower case. */
    public static void check(Map<String, String> buckets) throws ChangeRefusedException {
        if (buckets != null && buckets.values().stream().anyMatch(v -> v == null || !v.equals(v.toLowerCase(Locale.ROOT)))) {
            throw Changes.invalid("a bucket's permission is read, write or owner");
        }
        String problem = AccessKey.bucketsProblem(buckets);
        if (problem != null) {
            throw Changes.invalid(problem);
        }
    }

    /** {@code length} characters drawn from {@code alphabet} by a strong random source. */
    public static String random(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
