package org.blockcloset.gateway.node;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.model.AccessKey;

/** The admin API's caller: HTTP Basic credentials of an active admin access key (key id : secret). */
public final class AdminAuth {
    private final Ledger ledger;
    private final SecretBox box;

    public AdminAuth(Ledger ledger, SecretBox box) {
        this.ledger = ledger;
        this.box = box;
    }

    /**
     * In a cluster, waits until this node's views hold every write acknowledged anywhere before now,
     * as an S3 read does (ADR 0009): an admin reading through one node what it changed through
     * another sees its change. Returns false when the log could not be asked.
     */
    public boolean readBarrier() {
        if (ledger.views().nodes().size() <= 1) {
            return true;
        }
        try {
            ledger.catchUp();
            return true;
        } catch (org.blockcloset.ledger.LedgerUnavailableException e) {
            return false;
        }
    }

    public Optional<AccessKey> authenticate(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String id = decoded.substring(0, colon);
        byte[] secret = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        return ledger.views().accessKey(id).filter(k -> k.active() && k.admin() && box.secretOf(k)
                .map(s -> MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8), secret)).orElse(false));
    }
}
