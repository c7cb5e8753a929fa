package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Comparator;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.service.ChangeRefusedException;
import org.blockcloset.ledger.model.Bucket;

/** ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation. */
final class BucketHandlers {
    /** A CreateBucketConfiguration is a few hundred bytes; more is refused. */
    static final long MAX_CONFIGURATION_BYTES = 64 * 1024;
    private final S3Context ctx;

    BucketHandlers(S3Context ctx) {
        this.ctx = ctx;
    }

    void listBuckets(S3Request r, HttpServletResponse resp) throws IOException {
        Xml x = Xml.doc("ListAllMyBucketsResult")
                .open("Owner").el("ID", r.actor()).el("DisplayName", r.actor()).close()
                .open("Buckets");
        org.blockcloset.ledger.model.AccessKey caller = ctx.views().accessKey(r.actor()).orElse(null);
        ctx.views().buckets().stream().sorted(Comparator.comparing(Bucket::name))
                .filter(b -> caller == null || caller.may(org.blockcloset.ledger.model.AccessKey.Permission.READ, b.name()))
                .forEach(b -> x.open("Bucket")
                .el("Name", b.name())
                .el("CreationDate", Responses.xmlDate(b.created()))
                .el("BucketRegion", ctx.region())
                .close());
        Responses.xml(resp, x.close().finish());
    }

    void createBucket(S3Request r, HttpServletResponse resp) throws IOException {
        BucketNames.check(r.bucket());
        // The body, when present, is a CreateBucketConfiguration naming a region; one region here.
        // Read and dropped, but never more than such a document can be: no body is read whole unbounded.
        Responses.drain(r.http().getInputStream(), MAX_CONFIGURATION_BYTES);
        boolean locked = "true".equalsIgnoreCase(r.header("x-amz-bucket-object-lock-enabled"));
        String acl = Acls.fromHeader(r);
        String ownership = r.header("x-amz-object-ownership") == null ? null : PublicAccess.ownership(r.header("x-amz-object-ownership"));
        if (r.header("x-amz-object-ownership") != null && ownership == null) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "x-amz-object-ownership must be BucketOwnerEnforced, "
                    + "BucketOwnerPreferred or ObjectWriter.");
        }
        if (Bucket.OWNER_ENFORCED.equals(ownership) && acl != null && !Acls.PRIVATE.equals(acl)) {
            throw new S3Exception(S3Error.INVALID_BUCKET_ACL_WITH_OBJECT_OWNERSHIP);
        }
        try {
            ctx.buckets().create(S3Context.caller(r), r.bucket(), locked, Acls.PRIVATE.equals(acl) ? null : acl);
            if (ownership != null) {
                ctx.append(r, new org.blockcloset.ledger.event.BucketOwnershipChanged(r.bucket(), ownership));
            }
        } catch (ChangeRefusedException e) {
            if (e.rejection() != org.blockcloset.ledger.model.Rejection.BUCKET_EXISTS) {
                throw S3Context.refused(e);
            }
            // As S3: another owner's bucket is BucketAlreadyExists; one's own is BucketAlreadyOwnedByYou,
            // except in us-east-1, where creating it again succeeds (S3's legacy answer, which tools expect there).
            String owner = ctx.views().bucket(r.bucket()).map(Bucket::owner).orElse(null);
            if (owner != null && !owner.equals(r.actor())) {
                throw new S3Exception(S3Error.BUCKET_ALREADY_EXISTS);
            }
            if (!"us-east-1".equals(ctx.region())) {
                throw new S3Exception(S3Error.BUCKET_ALREADY_OWNED_BY_YOU);
            }
        } catch (LedgerUnavailableException e) {
            throw S3Context.unavailable(e);
        }
        resp.setHeader("Location", "/" + r.bucket());
        Responses.empty(resp, 200);
    }

    void headBucket(S3Request r, HttpServletResponse resp) {
        ctx.requireBucket(r.bucket());
        resp.setHeader("x-amz-bucket-region", ctx.region());
        Responses.empty(resp, 200);
    }

    void deleteBucket(S3Request r, HttpServletResponse resp) {
        try {
            ctx.buckets().delete(S3Context.caller(r), r.bucket());
        } catch (ChangeRefusedException e) {
            throw S3Context.refused(e);
        } catch (LedgerUnavailableException e) {
            throw S3Context.unavailable(e);
        }
        Responses.empty(resp, 204);
    }

    void getBucketLocation(S3Request r, HttpServletResponse resp) throws IOException {
        ctx.requireBucket(r.bucket());
        // S3 answers an empty constraint for us-east-1.
        String region = "us-east-1".equals(ctx.region()) ? null : ctx.region();
        Responses.xml(resp, Xml.doc("LocationConstraint").text(region).finish());
    }

}
