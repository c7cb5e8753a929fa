package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.AccessKey.Permission;

/**
 * Which buckets a key reaches and how (ADR 0012): a limited key reads, writes or owns only the
 * buckets it was given; admin keys and keys without a list reach every bucket. Checked for every
 * request once it is authenticated, before anything is read or written.
 */
final class Permissions {
    private Permissions() {
    }

    static Permission needed(S3Operation op) {
        return switch (op) {
            case LIST_BUCKETS, HEAD_BUCKET, GET_BUCKET_LOCATION, GET_BUCKET_VERSIONING, LIST_OBJECTS, LIST_OBJECTS_V2,
                 GET_OBJECT, HEAD_OBJECT, LIST_PARTS, LIST_MULTIPART_UPLOADS, GET_OBJECT_TAGGING,
                 GET_BUCKET_TAGGING, GET_OBJECT_ATTRIBUTES, LIST_OBJECT_VERSIONS, GET_OBJECT_LOCK_CONFIGURATION,
                 GET_OBJECT_RETENTION, GET_OBJECT_LEGAL_HOLD, GET_BUCKET_ACL, GET_OBJECT_ACL, GET_BUCKET_CORS,
                 GET_BUCKET_LIFECYCLE, PREFLIGHT -> Permission.READ;
            case PUT_OBJECT, COPY_OBJECT, DELETE_OBJECT, DELETE_OBJECTS, CREATE_MULTIPART_UPLOAD, UPLOAD_PART,
                 UPLOAD_PART_COPY, COMPLETE_MULTIPART_UPLOAD, ABORT_MULTIPART_UPLOAD, PUT_OBJECT_TAGGING,
                 DELETE_OBJECT_TAGGING, PUT_OBJECT_ACL, POST_OBJECT -> Permission.WRITE;
            case CREATE_BUCKET, DELETE_BUCKET, PUT_BUCKET_TAGGING, DELETE_BUCKET_TAGGING, PUT_BUCKET_VERSIONING,
                 PUT_OBJECT_LOCK_CONFIGURATION, PUT_OBJECT_RETENTION, PUT_OBJECT_LEGAL_HOLD, PUT_BUCKET_ACL, PUT_BUCKET_CORS, DELETE_BUCKET_CORS,
                 PUT_BUCKET_LIFECYCLE, DELETE_BUCKET_LIFECYCLE, GET_BUCKET_POLICY, PUT_BUCKET_POLICY, DELETE_BUCKET_POLICY,
                 GET_BUCKET_POLICY_STATUS, GET_PUBLIC_ACCESS_BLOCK, PUT_PUBLIC_ACCESS_BLOCK, DELETE_PUBLIC_ACCESS_BLOCK,
                 GET_BUCKET_OWNERSHIP_CONTROLS, PUT_BUCKET_OWNERSHIP_CONTROLS, DELETE_BUCKET_OWNERSHIP_CONTROLS -> Permission.OWNER;
        };
    }

    /**
     * May this caller bypass GOVERNANCE retention (x-amz-bypass-governance-retention)? Admin keys and
     * keys that own the bucket may; S3 asks for s3:BypassGovernanceRetention, which owners hold here.
     */
    static boolean mayBypassGovernance(AccessKey key, String bucket) {
        return key != null && (key.admin() || key.may(Permission.OWNER, bucket));
    }

    /**
     * Deleting a version of a versioned bucket for good needs owner: a key given write (a backup
     * tool's) may add versions and delete markers, which keep every earlier version, but must not
     * destroy history (S3 asks for s3:DeleteObjectVersion, a separate grant).
     */
    static void checkVersionDelete(AccessKey key, String bucket) {
        // Anonymous callers (a public-read-write bucket's ACL) never: they own nothing.
        if (key == null || key.limited() && !key.may(Permission.OWNER, bucket)) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "This access key may write in bucket " + bucket
                    + " but not delete a version for good: that needs owner.");
        }
    }

    /** Throws AccessDenied unless {@code key} may do {@code op}; ListBuckets is filtered instead. */
    static void check(AccessKey key, S3Operation op, String bucket, String copySource) {
        if (key == null || !key.limited() || op == S3Operation.LIST_BUCKETS) {
            return;
        }
        if (op == S3Operation.CREATE_BUCKET) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "This access key reaches only the buckets it was given; "
                    + "it cannot create buckets.");
        }
        Permission needed = needed(op);
        if (!key.may(needed, bucket)) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "This access key may not "
                    + needed.name().toLowerCase(java.util.Locale.ROOT) + " in bucket " + bucket + ".");
        }
        checkCopySource(key, op, copySource);
    }

    /** A copy's source: the key itself must be allowed to read it (a policy of the target bucket does not say). */
    static void checkCopySource(AccessKey key, S3Operation op, String copySource) {
        if (copySource == null || (op != S3Operation.COPY_OBJECT && op != S3Operation.UPLOAD_PART_COPY)) {
            return;
        }
        String source = CopyObjectHandler.parseSource(copySource).bucket();
        if (key == null || key.limited() && !key.may(Permission.READ, source)) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "This access key may not read in bucket " + source + ".");
        }
    }
}
