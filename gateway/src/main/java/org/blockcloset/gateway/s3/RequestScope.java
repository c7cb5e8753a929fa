package org.blockcloset.gateway.s3;

import java.util.Optional;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.Bucket;

/**
 * What a request reads from the views once and hands down (issue 18): the key that signed it and
 * the bucket it names, each read at most once however many checks need them (the signature, the
 * key's permissions, ACLs, CORS, the handler, where the blocks go). With the members and the
 * layout kept by the views between membership changes ({@code Views.membership()}), a PutObject
 * reads the views twice before its body: the key and the bucket.
 *
 * <p>The snapshot is the request's: a write is still decided by the fold in log order, which sees
 * a bucket deleted or a key revoked meanwhile.
 */
final class RequestScope {
    private final S3Context ctx;
    private final String bucketName;
    private String keyId;
    private Optional<AccessKey> key;
    private Optional<Bucket> bucket;

    RequestScope(S3Context ctx, String bucketName) {
        this.ctx = ctx;
        this.bucketName = bucketName;
    }

    /** The access key {@code id}, as the views held it when the request first asked. */
    Optional<AccessKey> key(String id) {
        if (key == null || !id.equals(keyId)) {
            keyId = id;
            key = ctx.views().accessKey(id);
        }
        return key;
    }

    /** The secret of an active key (for the signature check). */
    Optional<String> secretOf(String id) {
        return key(id).filter(AccessKey::active).flatMap(ctx.secrets()::secretOf);
    }

    /** The bucket the request names, if it exists (empty for a service-level request). */
    Optional<Bucket> bucket() {
        if (bucket == null) {
            bucket = bucketName == null ? Optional.empty() : ctx.views().bucket(bucketName);
        }
        return bucket;
    }

    /**
     * The read barrier (ADR 0004) for this request: when it waited for other gateways' writes, the
     * bucket is read again after it (a change acknowledged elsewhere must be seen).
     */
    void readBarrier() {
        if (ctx.readBarrier()) {
            bucket = null;
        }
    }

    /**
     * The bucket, or NoSuchBucket. As {@link S3Context#lookUp}: a miss is read again after the read
     * barrier (a bucket made through another gateway a moment ago), a hit costs nothing more.
     */
    Bucket requireBucket() {
        if (bucket().isEmpty() && bucketName != null && ctx.readBarrier()) {
            bucket = ctx.views().bucket(bucketName);
        }
        return bucket.orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_BUCKET));
    }
}
