package org.blockcloset.ledger.view;

import org.apache.kafka.streams.state.KeyValueStore;
import org.blockcloset.ledger.event.AccessKeyCreated;
import org.blockcloset.ledger.event.AccessKeyRevoked;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.Rejection;

/** The fold of access keys: made (sealed secrets only, once any is sealed), limited to buckets, revoked. */
final class AccessKeyFold {
    private final KeyValueStore<String, AccessKey> accessKeys;

    AccessKeyFold(KeyValueStore<String, AccessKey> accessKeys) {
        this.accessKeys = accessKeys;
    }

    static boolean handles(Event e) {
        return e instanceof AccessKeyCreated || e instanceof AccessKeyRevoked
                || e instanceof org.blockcloset.ledger.event.AccessKeyPermissionsChanged;
    }

    Rejection apply(LoggedEvent logged) {
        Event e = logged.event();
        if (e instanceof AccessKeyCreated c) {
            if (accessKeys.get(c.accessKeyId()) != null) {
                return Rejection.ACCESS_KEY_EXISTS;
            }
            if (AccessKey.bucketsProblem(c.buckets()) != null || c.secretKey() != null && anySealedKey()) {
                // A secret in clear after the log already holds sealed ones was not written by a
                // node (they all seal since then): someone chose that key's secret.
                return Rejection.INVALID_EVENT;
            }
            accessKeys.put(c.accessKeyId(),
                    new AccessKey(c.accessKeyId(), c.sealedSecret(), c.description(), c.admin(), c.created(), null,
                            c.secretKey(), c.buckets()));
        } else if (e instanceof AccessKeyRevoked r) {
            AccessKey k = accessKeys.get(r.accessKeyId());
            if (k == null) {
                return Rejection.NO_SUCH_ACCESS_KEY;
            }
            if (k.active()) {
                accessKeys.put(k.accessKeyId(), k.withRevoked(logged.time()));
            }
        } else if (e instanceof org.blockcloset.ledger.event.AccessKeyPermissionsChanged p) {
            AccessKey k = accessKeys.get(p.accessKeyId());
            if (k == null) {
                return Rejection.NO_SUCH_ACCESS_KEY;
            }
            if (AccessKey.bucketsProblem(p.buckets()) != null) {
                return Rejection.INVALID_EVENT;
            }
            accessKeys.put(k.accessKeyId(), k.withBuckets(p.buckets() == null ? null : new java.util.TreeMap<>(p.buckets())));
        }
        return null;
    }

    /** Whether any key in the views has a sealed secret (a handful of keys: a scan is cheap). */
    private boolean anySealedKey() {
        try (org.apache.kafka.streams.state.KeyValueIterator<String, AccessKey> all = accessKeys.all()) {
            while (all.hasNext()) {
                if (all.next().value.sealedSecret() != null) {
                    return true;
                }
            }
        }
        return false;
    }
}
