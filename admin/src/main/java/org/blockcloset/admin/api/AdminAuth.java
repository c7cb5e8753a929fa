package org.blockcloset.admin.api;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.AdminCallAccepted;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.model.AccessKey;

/**
 * The admin API's caller: a request signed with SigV4, as S3 requests are, by an active admin key
 * ({@link AdminSignatures}), and a change accepted once per signature by the whole cluster.
 */
public final class AdminAuth {
    private static final String BODY = AdminAuth.class.getName() + ".body";
    private final Ledger ledger;
    private final AdminSignatures signatures;
    private final ReplayCache replays = new ReplayCache(java.time.Duration.ofMinutes(31));

    public AdminAuth(Ledger ledger, AdminSignatures signatures) {
        this.ledger = ledger;
        this.signatures = signatures;
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

    /** The admin key that signed the request, or why there is none. */
    public Outcome authenticate(HttpServletRequest req) throws IOException {
        AdminSignatures.Checked checked = signatures.check(req);
        if (checked.refusal() != null) {
            return new Outcome(Optional.empty(), checked.refusal());
        }
        if (!"GET".equals(req.getMethod()) && !"HEAD".equals(req.getMethod())) {
            Outcome refused = claim(req, checked.accessKeyId());
            if (refused != null) {
                return refused;
            }
        }
        req.setAttribute(BODY, checked.body());
        return new Outcome(ledger.views().accessKey(checked.accessKeyId()), null);
    }

    /** Frees what checking the request's body held, once it is answered. */
    void release() {
        signatures.release();
    }

    /**
     * Claims a changing call's signature, first on this node (a replay to the same node is refused
     * without a write), then for the cluster: the {@link AdminCallAccepted} event, which the views
     * refuse when any node accepted the same signature before (the log's order decides). Null when
     * the call may go on, else why not.
     */
    private Outcome claim(HttpServletRequest req, String accessKeyId) {
        String authorization = req.getHeader("Authorization");
        String signature = ReplayCache.signatureOf(authorization);
        String signedAt = req.getHeader("x-amz-date");
        if (signature == null || signedAt == null || !replays.firstUse(authorization, System.currentTimeMillis())) {
            return new Outcome(Optional.empty(), ALREADY_USED);
        }
        String hash = java.util.HexFormat.of().formatHex(sha256(signature.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        try {
            ledger.append(accessKeyId, java.util.UUID.randomUUID().toString(), req.getRemoteAddr(),
                    new AdminCallAccepted(req.getMethod(), org.blockcloset.admin.AdminAccess.normalisedPath(req), signedAt, hash));
            return null;
        } catch (RejectedException e) {
            return new Outcome(Optional.empty(), e.rejection() == Rejection.REPLAYED ? ALREADY_USED
                    : "the call was refused (" + e.rejection() + ")");
        } catch (LedgerUnavailableException e) {
            return new Outcome(Optional.empty(), 503, "the log cannot be reached to record the call; retry with a new signature");
        }
    }

    /** The request's body, checked against its signed payload hash as it is read. */
    @SuppressWarnings("unchecked")
    public static InputStream body(HttpServletRequest req) throws IOException {
        return req.getAttribute(BODY) instanceof UnaryOperator<?> body
                ? ((UnaryOperator<InputStream>) body).apply(req.getInputStream()) : InputStream.nullInputStream();
    }

    private static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static final String ALREADY_USED = "this signed request was already used once; sign each request anew";

    /** @param status the answer when refused: 401, or 503 when the log could not record the call */
    public record Outcome(Optional<AccessKey> caller, int status, String refusal) {
        Outcome(Optional<AccessKey> caller, String refusal) {
            this(caller, 401, refusal);
        }
    }
}
