package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectVersion;
import org.blockcloset.ledger.view.Views;

/**
 * Versions as S3 shows them (ADR 0013): which version a request names, and the headers that say
 * which version a response is about. The fold gives a version its id in log order; it is the place
 * of its event in the log, so ids sort newest first and a gateway learns its write's id from the offset.
 */
final class Versions {
    private Versions() {
    }

    /** A {@code versionId} parameter: absent, "null", or an id this store gives; anything else is refused. */
    static String parse(String versionId) {
        if (versionId == null || versionId.equals("null") || versionId.matches("[0-9a-f]{16}")) {
            return versionId;
        }
        throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid version id specified").with("ArgumentName", "versionId")
                .with("ArgumentValue", versionId);
    }

    /**
     * The version a read names: the current object without a version id, else that version. A delete
     * marker is answered as S3 does: 404 NoSuchKey when current, 405 when named.
     */
    static ObjectVersion find(S3Context ctx, String bucket, String key, String versionId) {
        String id = parse(versionId);
        if (id == null) {
            // The current object: one lookup on a hit, as before versions; the bucket only on a miss.
            return ctx.views().object(bucket, key).orElseThrow(() -> {
                Bucket b = ctx.requireBucket(bucket);
                S3Exception missing = new S3Exception(S3Error.NO_SUCH_KEY);
                if (b.versioned()) {
                    ctx.views().latestVersion(bucket, key).filter(ObjectVersion::marksDeletion).ifPresent(m ->
                            missing.withHeader("x-amz-delete-marker", "true").withHeader("x-amz-version-id", m.s3VersionIdOrNull()));
                }
                return missing;
            });
        }
        Bucket b = ctx.requireBucket(bucket);
        if (!b.versioned()) {
            // An unversioned bucket holds only null versions.
            return ctx.views().object(bucket, key).filter(o -> id.equals("null"))
                    .orElseThrow(() -> new S3Exception(id.equals("null") ? S3Error.NO_SUCH_KEY : S3Error.NO_SUCH_VERSION));
        }
        ObjectVersion v = ctx.views().version(bucket, key, id).orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_VERSION));
        if (v.marksDeletion()) {
            throw new S3Exception(S3Error.METHOD_NOT_ALLOWED).withHeader("x-amz-delete-marker", "true")
                    .withHeader("x-amz-version-id", v.s3VersionIdOrNull()).withHeader("Allow", "DELETE");
        }
        return v;
    }

    /** x-amz-version-id for a version of a bucket whose versioning was ever set (S3 sends none otherwise). */
    static void header(HttpServletResponse resp, S3Context ctx, ObjectVersion o) {
        if (ctx.views().bucket(o.bucket()).map(Bucket::versioned).orElse(false)) {
            resp.setHeader("x-amz-version-id", o.s3VersionIdOrNull());
        }
    }

    /** The id of the version a write or delete made: its offset names it, unless the bucket made it the null version. */
    static String made(S3Context ctx, String bucket, String key, Ledger.Appended appended) {
        if (!ctx.views().bucket(bucket).map(Bucket::versioned).orElse(false)) {
            return null;
        }
        String id = Views.versionIdAt(appended.offset());
        return ctx.views().version(bucket, key, id).isPresent() ? id : "null";
    }

    /** Sets x-amz-version-id to the version a write made, when the bucket is versioned. */
    static void madeHeader(HttpServletResponse resp, S3Context ctx, String bucket, String key, Ledger.Appended appended) {
        String id = made(ctx, bucket, key, appended);
        if (id != null) {
            resp.setHeader("x-amz-version-id", id);
        }
    }
}
