package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.blockcloset.ledger.model.ObjectVersion;

/** GetObject and HeadObject: conditionals, ranges, part numbers, response-* overrides. */
final class GetObjectHandler {
    private final S3Context ctx;

    GetObjectHandler(S3Context ctx) {
        this.ctx = ctx;
    }

    void getObject(S3Request r, HttpServletResponse resp) throws IOException {
        serve(r, resp, true);
    }

    void headObject(S3Request r, HttpServletResponse resp) throws IOException {
        serve(r, resp, false);
    }

    /** The current object of a key (NoSuchKey, with the delete marker's headers when one hides it). */
    static ObjectVersion find(S3Context ctx, String bucket, String key) {
        return Versions.find(ctx, bucket, key, null);
    }

    /** The version the request names with ?versionId, else the current object. */
    static ObjectVersion find(S3Context ctx, S3Request r) {
        return Versions.find(ctx, r.bucket(), r.key(), r.param("versionId"));
    }

    private void serve(S3Request r, HttpServletResponse resp, boolean body) throws IOException {
        ObjectHeaders.refuseAnonymousOverrides(r);
        ObjectVersion o = find(ctx, r);
        Acls.recheck(r, o);
        org.blockcloset.ledger.trace.Trace.mark("index lookup");
        Versions.header(resp, ctx, o);
        if (Conditionals.evaluate(r, o) == Conditionals.Outcome.NOT_MODIFIED) {
            resp.setHeader("ETag", o.etag());
            resp.setHeader("Last-Modified", Responses.httpDate(o.lastModified()));
            resp.setStatus(304);
            return;
        }
        ByteRange range;
        String partNumber = r.param("partNumber");
        if (partNumber != null) {
            try {
                range = ByteRange.ofPart(Integer.parseInt(partNumber), o.partSizes(), o.size());
            } catch (NumberFormatException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000.");
            }
        } else {
            range = ByteRange.parse(r.header("Range"), o.size());
        }
        ObjectHeaders.write(resp, o, r, range == null);
        if (r.param("versionId") == null) {
            ctx.expirationHeader(resp, r.scope().bucket().orElse(null), o);
        }
        ObjectLockHandlers.headers(resp, o);
        if (range != null) {
            resp.setStatus(206);
            resp.setHeader("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + o.size());
        } else {
            resp.setStatus(200);
        }
        long length = range == null ? o.size() : range.length();
        resp.setContentLengthLong(length);
        if (body && length > 0) {
            long first = range == null ? 0 : range.first();
            ctx.objects().read(o.blocks(), first, first + length - 1, resp.getOutputStream());
        }
    }
}
