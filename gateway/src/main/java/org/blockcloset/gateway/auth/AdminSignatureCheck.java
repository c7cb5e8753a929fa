package org.blockcloset.gateway.auth;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import org.blockcloset.admin.api.AdminSignatures;
import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.seal.SecretBox;

/**
 * The admin API's signatures, checked by the S3 port's SigV4 verifier under the admin API's own
 * service name ({@link SigV4Verifier#ADMIN_SERVICE}) and only with active admin keys. The secret never
 * crosses the wire; a body is checked against the signed payload hash as it is read.
 * {@code curl --aws-sigv4 "aws:amz:us-east-1:blockcloset-admin" -u ID:SECRET} signs such requests.
 */
public final class AdminSignatureCheck implements AdminSignatures {
    /** The admin API's requests are small JSON documents. */
    static final int MAX_BODY = 64 * 1024;
    private final SigV4Verifier verifier;

    public AdminSignatureCheck(Ledger ledger, SecretBox box) {
        this.verifier = new SigV4Verifier(id -> ledger.views().accessKey(id).filter(k -> k.active() && k.admin())
                .flatMap(box::secretOf), Clock.systemUTC(), SigV4Verifier.ADMIN_SERVICE);
    }

    @Override
    public Checked check(HttpServletRequest req) throws IOException {
        SignedRequest signed = new ServletSignedRequest(req);
        byte[] buffered = null;
        if (req.getHeader("x-amz-content-sha256") == null && req.getContentLengthLong() != 0) {
            // Generic SigV4 signers (curl --aws-sigv4) sign the body's hash without sending it: the
            // small admin body is read first and its hash is what the signature must cover.
            buffered = req.getInputStream().readNBytes(MAX_BODY + 1);
            if (buffered.length > MAX_BODY) {
                return Checked.refused("the request body is larger than " + MAX_BODY + " bytes");
            }
            signed = withPayloadHash(signed, HexFormat.of().formatHex(sha256(buffered)));
        }
        AuthContext ctx;
        try {
            ctx = verifier.verify(signed);
        } catch (S3Exception e) {
            return Checked.refused(e.getMessage() == null ? e.error().toString() : e.getMessage());
        }
        if (ctx.isAnonymous()) {
            return Checked.refused("sign the request with an admin key (SigV4, as S3 requests are signed)");
        }
        // A signed admin call must not be usable twice: no presigned URLs (valid for days), and the
        // body's hash signed (an unsigned payload lets a sniffed call carry another body). AdminAuth
        // then accepts a change once per signature, cluster-wide (issue 16).
        if (ctx.presigned()) {
            return Checked.refused("presigned URLs are not accepted by the admin API; sign the headers");
        }
        if (ctx.payloadMode() != PayloadMode.SHA256) {
            return Checked.refused("the admin API needs the body's SHA-256 in the signature, not " + ctx.payloadMode().literal());
        }
        byte[] body = buffered;
        return new Checked(ctx.accessKeyId(), body != null ? raw -> new ByteArrayInputStream(body) // its hash was the signed one
                : raw -> refusingOnMismatch(ctx.wrapBody(raw)), null);
    }

    @Override
    public void release() {
        ChunkBudget.releaseAll();
    }

    /** The verifier's S3 error for a body that does not match its hash, in the admin API's terms. */
    private static InputStream refusingOnMismatch(InputStream checked) {
        return new FilterInputStream(checked) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (S3Exception e) {
                    throw refused(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (S3Exception e) {
                    throw refused(e);
                }
            }

            @Override
            public long skip(long n) throws IOException {
                try {
                    return super.skip(n);
                } catch (S3Exception e) {
                    throw refused(e);
                }
            }
        };
    }

    private static BodyRefusedException refused(S3Exception e) {
        return new BodyRefusedException(String.valueOf(e.getMessage() == null ? e.error() : e.getMessage()));
    }

    private static SignedRequest withPayloadHash(SignedRequest plain, String hash) {
        return new SignedRequest() {
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
            public List<String> headers(String name) {
                return name.equals("x-amz-content-sha256") ? List.of(hash) : plain.headers(name);
            }

            @Override
            public Collection<String> headerNames() {
                return plain.headerNames();
            }
        };
    }

    private static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
