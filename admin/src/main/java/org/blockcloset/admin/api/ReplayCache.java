package org.blockcloset.admin.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signatures of admin calls that changed something, each kept for as long as a SigV4 signature
 * stays valid (its date ±15 minutes): a call sent again with the same signature within that window
 * is a replay and is refused. Per node, in memory; bounded (the oldest go first past {@link #MAX}).
 */
final class ReplayCache {
    static final int MAX = 100_000;
    private final long keepMillis;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();

    ReplayCache(Duration keep) {
        this.keepMillis = keep.toMillis();
    }

    /** True the first time {@code authorization} is presented within the window; false for a replay (or none). */
    boolean firstUse(String authorization, long now) {
        String signature = signatureOf(authorization);
        if (signature == null) {
            return false;
        }
        if (seen.size() >= MAX) {
            seen.values().removeIf(until -> until < now);
            if (seen.size() >= MAX) {
                seen.entrySet().stream().sorted(Map.Entry.comparingByValue()).limit(MAX / 10)
                        .map(Map.Entry::getKey).toList().forEach(seen::remove);
            }
        }
        Long before = seen.putIfAbsent(signature, now + keepMillis);
        if (before != null && before < now) {
            seen.put(signature, now + keepMillis);
            return true;
        }
        return before == null;
    }

    static String signatureOf(String authorization) {
        if (authorization == null) {
            return null;
        }
        int at = authorization.indexOf("Signature=");
        if (at < 0) {
            return null;
        }
        String sig = authorization.substring(at + "Signature=".length()).trim();
        int end = sig.indexOf(',');
        return end < 0 ? sig : sig.substring(0, end).trim();
    }
}
