package org.blockcloset.ledger.view;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.blockcloset.ledger.event.AdminCallAccepted;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.model.Rejection;

/**
 * The signed admin calls accepted lately, cluster-wide: the second {@link AdminCallAccepted} with a
 * signature is refused, whichever node appended it. Keys sort by the signature's date, so the calls
 * older than {@link StoreNames#ADMIN_CALLS_KEPT} are the first keys and go at each new call.
 */
final class AdminCallFold {
    private static final DateTimeFormatter SIGNED_AT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final java.util.regex.Pattern DATE = java.util.regex.Pattern.compile("\\d{8}T\\d{6}Z");
    private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("[0-9a-f]{64}");
    private final KeyValueStore<String, String> calls;

    AdminCallFold(KeyValueStore<String, String> calls) {
        this.calls = calls;
    }

    /** @param now the later of the event's two clocks (ADR 0004): what is older than the window by it is forgotten */
    Rejection apply(AdminCallAccepted call, LoggedEvent logged, Instant now) {
        if (call.signedAt() == null || !DATE.matcher(call.signedAt()).matches()
                || call.signatureHash() == null || !HASH.matcher(call.signatureHash()).matches()) {
            return Rejection.INVALID_EVENT;
        }
        String cutoff = SIGNED_AT.format(now.minus(StoreNames.ADMIN_CALLS_KEPT));
        if (call.signedAt().compareTo(cutoff) < 0) {
            // Older than what is remembered: it may have been taken already and forgotten since. No
            // signature stays valid that long (15 minutes), so only a node with a slow clock let it in.
            return Rejection.REPLAYED;
        }
        forgetBefore(cutoff);
        String key = call.signedAt() + "/" + call.signatureHash();
        if (calls.get(key) != null) {
            return Rejection.REPLAYED;
        }
        calls.put(key, logged.actor() == null ? "" : logged.actor());
        return null;
    }

    private void forgetBefore(String cutoff) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, String> it = calls.all()) {
            while (it.hasNext()) {
                String key = it.next().key;
                if (key.compareTo(cutoff) >= 0) {
                    break;
                }
                old.add(key);
            }
        }
        old.forEach(calls::delete);
    }
}
