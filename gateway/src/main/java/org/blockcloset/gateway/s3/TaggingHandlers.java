package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.blockcloset.ledger.event.BucketTagsChanged;
import org.blockcloset.ledger.event.ObjectTagsChanged;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.model.ObjectVersion;

/** Get/Put/DeleteObjectTagging and Get/Put/DeleteBucketTagging. */
final class TaggingHandlers {
    private final S3Context ctx;

    TaggingHandlers(S3Context ctx) {
        this.ctx = ctx;
    }

    void getObjectTagging(S3Request r, HttpServletResponse resp) throws IOException {
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        resp.setHeader("x-amz-version-id", o.s3VersionIdOrNull());
        Responses.xml(resp, Tags.xml(o.tags()));
    }

    void putObjectTagging(S3Request r, HttpServletResponse resp) throws IOException {
        ctx.readBarrier(); // the tags are for the version the client can see now
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        Map<String, String> tags = Tags.fromXml(r.auth().wrapBody(r.http().getInputStream()), Tags.OBJECT_LIMIT);
        ctx.append(r, new ObjectTagsChanged(r.bucket(), r.key(), o.versionId(), tags));
        resp.setHeader("x-amz-version-id", o.s3VersionIdOrNull());
        Responses.empty(resp, 200);
    }

    void deleteObjectTagging(S3Request r, HttpServletResponse resp) {
        ObjectVersion o = GetObjectHandler.find(ctx, r);
        ctx.append(r, new ObjectTagsChanged(r.bucket(), r.key(), o.versionId(), null));
        resp.setHeader("x-amz-version-id", o.s3VersionIdOrNull());
        Responses.empty(resp, 204);
    }

    void getBucketTagging(S3Request r, HttpServletResponse resp) throws IOException {
        Bucket b = ctx.requireBucket(r.bucket());
        if (b.tags() == null) {
            throw new S3Exception(S3Error.NO_SUCH_TAG_SET);
        }
        Responses.xml(resp, Tags.xml(b.tags()));
    }

    void putBucketTagging(S3Request r, HttpServletResponse resp) throws IOException {
        ctx.requireBucket(r.bucket());
        Map<String, String> tags = Tags.fromXml(r.auth().wrapBody(r.http().getInputStream()), Tags.BUCKET_LIMIT);
        ctx.append(r, new BucketTagsChanged(r.bucket(), tags));
        Responses.empty(resp, 204);
    }

    void deleteBucketTagging(S3Request r, HttpServletResponse resp) {
        ctx.requireBucket(r.bucket());
        ctx.append(r, new BucketTagsChanged(r.bucket(), null));
        Responses.empty(resp, 204);
    }
}
