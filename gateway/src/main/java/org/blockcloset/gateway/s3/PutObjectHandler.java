package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.blockcloset.gateway.object.WriteSet;
import org.blockcloset.ledger.event.ObjectPut;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.model.Precondition;

/** PutObject: the body into blocks, committed with its event by the object service; only then the 200. */
final class PutObjectHandler {
    static final int MAX_KEY_BYTES = 1024;

    private final S3Context ctx;

    PutObjectHandler(S3Context ctx) {
        this.ctx = ctx;
    }

    static void checkKey(String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new S3Exception(S3Error.KEY_TOO_LONG);
        }
        if (key.indexOf('\0') >= 0) {
            // The views key objects by bucket NUL key: a NUL in a key would collide with another's.
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Object keys may not contain the NUL character.");
        }
    }

    /**
     * If-Match / If-None-Match: * on a write. Checked here first (no body is received for a write
     * that cannot apply), and again by the fold, in log order, which is what decides races.
     */
    static Precondition writePrecondition(S3Context ctx, S3Request r) {
        String ifNoneMatch = r.header("If-None-Match");
        String ifMatch = r.header("If-Match");
        if (ifNoneMatch == null && ifMatch == null) {
            return null;
        }
        if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "If-None-Match on a write supports only '*'.");
        }
        Precondition p = new Precondition(ifMatch, ifNoneMatch != null);
        if (!p.holds(ctx.views().object(r.bucket(), r.key()).orElse(null))) {
            throw new S3Exception(S3Error.PRECONDITION_FAILED);
        }
        return p;
    }

    void putObject(S3Request r, HttpServletResponse resp) throws IOException {
        org.blockcloset.ledger.model.Bucket bucket = r.scope().requireBucket();
        checkKey(r.key());
        String decoded = r.header("x-amz-decoded-content-length");
        ctx.checkQuota(bucket, r.key(), decoded != null && decoded.matches("\\d{1,18}") ? Long.parseLong(decoded)
                : r.http().getContentLengthLong());
        Precondition precondition = writePrecondition(ctx, r);
        ObjectMetadata meta = ObjectMetadata.from(r.http());
        java.util.Map<String, String> tags = Tags.fromHeader(r.header("x-amz-tagging"));
        ObjectLockHandlers.WriteLock lock = ObjectLockHandlers.fromHeaders(ctx, r, bucket);
        String etag;
        ObjectVersion o;
        org.blockcloset.ledger.trace.Trace.mark("request resolved");
        try (WriteSet write = ctx.objects().begin(bucket)) {
            BodyReceiver.Received body = BodyReceiver.receive(ctx, r, write);
            etag = '"' + body.md5Hex() + '"';
            o = new ObjectVersion(r.bucket(), r.key(), UUID.randomUUID().toString(), body.written().size(),
                    etag, ctx.clock().instant(), meta.headers(), meta.user(), body.checksums(),
                    body.checksums().isEmpty() ? null : "FULL_OBJECT", null, body.written().blocks()).withTags(tags)
                    .withAcl(Acls.fromHeader(r));
            if (lock != null) {
                o = lock.applyTo(o);
            }
            Versions.madeHeader(resp, ctx, r.bucket(), r.key(), ctx.commit(r, write, new ObjectPut(o, precondition)));
        }
        resp.setHeader("ETag", etag);
        ctx.expirationHeader(resp, bucket, o);
        ObjectHeaders.checksums(resp, o);
        Responses.empty(resp, 200);
    }
}
