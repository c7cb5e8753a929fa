package org.blockcloset.gateway.node;

import org.blockcloset.ledger.seal.SecretBox;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Optional;
import org.blockcloset.gateway.auth.AuthContext;
import org.blockcloset.gateway.auth.SignedRequest;
import org.blockcloset.gateway.auth.SigV4Verifier;
import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.auth.ServletSignedRequest;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.AdminCallAccepted;
import org.blockcloset.ledger.model.Rejection;
import org.blockcloset.ledger.model.AccessKey;

/**
 * The admin API's caller: a request signed with SigV4, as S3 requests are, by an active admin access
 * key. The secret never crosses the wire; a body is checked against the signed payload hash as it is
 * read. {@code curl --aws-sigv4 "aws:amz:us-east-1:blockcloset-admin" -u ID:SECRET} signs such requests.
 */
public final class AdminAuth {
    private static final String CONTEXT = AdminAuth.class.getName() + ".context";
    private static final String BUFFERED = AdminAuth.class.getName() + ".body";
    /** The admin API's requests are small JSON documents. */
    static final int MAX_BODY = 64 * 1024;
    private final Ledger ledger;
    private final SigV4Verifier verifier;
    private final ReplayCache replays = new ReplayCache(java.time.Duration.ofMinutes(31));

    public AdminAuth(Ledger ledger, SecretBox box) {
        this.ledger = ledger;
        this.verifier = new SigV4Verifier(id -> ledger.views().accessKey(id).filter(k -> k.active() && k.admin())
                .flatMap(box::secretOf), Clock.systemUTC(), SigV4Verifier.ADMIN_SERVICE);
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
        SignedRequest signed = new ServletSignedRequest(req);
        if (req.getHeader("x-amz-content-sha256") == null && req.getContentLengthLong() != 0) {
            // Generic SigV4 signers (curl --aws-sigv4) sign the body's hash without sending it: the
            // small admin body is read first and its hash is what the signature must cover.
            byte[] body = req.getInputStream().readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                return new Outcome(Optional.empty(), "the request body is larger than " + MAX_BODY + " bytes");
            }
            req.setAttribute(BUFFERED, body);
            String hash = java.util.HexFormat.of().formatHex(sha256(body));
            SignedRequest plain = signed;
            signed = new SignedRequest() {
                @Override
                public String method() {
                    return plain.method();
                }

                @Override
                public String rawPath() {
                    return plain.rawPath();
                }

                @Override
                public String rawQuery() {
                    return plain.rawQuery();
                }

                @Override
                public java.util.List<String> headers(String name) {
                    return name.equals("x-amz-content-sha256") ? java.util.List.of(hash) : plain.headers(name);
                }

                @Override
                public java.util.Collection<String> headerNames() {
                    return plain.headerNames();
                }
            };
        }
        AuthContext ctx;
        try {
            ctx = verifier.verify(signed);
        } catch (S3Exception e) {
            return new Outcome(Optional.empty(), e.getMessage() == null ? e.error().toString() : e.getMessage());
        }
        if (ctx.isAnonymous()) {
            return new Outcome(Optional.empty(), "sign the request with an admin key (SigV4, as S3 requests are signed)");
        }
        // A signed admin call must not be usable twice: no presigned URLs (valid for days), the body's
        // hash signed (an unsigned payload lets a sniffed call carry another body), and a change is
        // accepted once per signature within the signature's window, by the whole cluster (issue 16).
        if (ctx.presigned()) {
            return new Outcome(Optional.empty(), "presigned URLs are not accepted by the admin API; sign the headers");
        }
        if (ctx.payloadMode() != org.blockcloset.gateway.auth.PayloadMode.SHA256) {
            return new Outcome(Optional.empty(), "the admin API needs the body's SHA-256 in the signature, not "
                    + ctx.payloadMode().literal());
        }
        if (!"GET".equals(req.getMethod()) && !"HEAD".equals(req.getMethod())) {
            Outcome refused = claim(req, ctx);
            if (refused != null) {
                return refused;
            }
        }
        req.setAttribute(CONTEXT, ctx);
        return new Outcome(ledger.views().accessKey(ctx.accessKeyId()), null);
    }

    /**
     * Claims a changing call's signature, first on this node (a replay to the same node is refused
     * without a write), then for the cluster: the {@link AdminCallAccepted} event, which the views
     * refuse when any node accepted the same signature before (the log's order decides). Null when
     * the call may go on, else why not.
     */
    private Outcome claim(HttpServletRequest req, AuthContext ctx) {
        String authorization = req.getHeader("Authorization");
        String signature = ReplayCache.signatureOf(authorization);
        String signedAt = req.getHeader("x-amz-date");
        if (signature == null || signedAt == null || !replays.firstUse(authorization, System.currentTimeMillis())) {
            return new Outcome(Optional.empty(), ALREADY_USED);
        }
        String hash = java.util.HexFormat.of().formatHex(sha256(signature.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        try {
            ledger.append(ctx.accessKeyId(), java.util.UUID.randomUUID().toString(), req.getRemoteAddr(),
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
    public static InputStream body(HttpServletRequest req) throws IOException {
        if (req.getAttribute(BUFFERED) instanceof byte[] b) {
            return new java.io.ByteArrayInputStream(b); // its hash was the signed one
        }
        AuthContext ctx = (AuthContext) req.getAttribute(CONTEXT);
        return ctx == null ? InputStream.nullInputStream() : ctx.wrapBody(req.getInputStream());
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
