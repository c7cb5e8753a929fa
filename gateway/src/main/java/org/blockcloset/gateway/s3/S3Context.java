package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.RejectedException;
import org.blockcloset.ledger.event.Event;
import org.blockcloset.ledger.event.LoggedEvent;
import org.blockcloset.ledger.model.AccessKey;
import org.blockcloset.ledger.model.Bucket;
import org.blockcloset.ledger.view.Views;
import org.blockcloset.ledger.seal.SecretBox;
import org.blockcloset.gateway.object.ObjectService;
import org.blockcloset.gateway.object.WriteSet;

/**
 * What the S3 handlers share: the ledger (views), the object service, and the node's S3 settings
 * ({@code lifecycleDay}: the length of a lifecycle "day", BLOCKCLOSET_LIFECYCLE_DAY, for x-amz-expiration;
 * {@code sigV2}: whether AWS Signature Version 2 is taken, BLOCKCLOSET_SIGV2).
 */
public record S3Context(Ledger ledger, ObjectService objects, SecretBox secrets, Clock clock, List<String> domains,
                        String region, java.time.Duration lifecycleDay, boolean sigV2) {
    /**
     * S3's x-amz-expiration of the current version {@code o} of its bucket {@code b}: when the
     * bucket's lifecycle will expire it and by which rule; nothing when no enabled rule does.
     */
    void expirationHeader(jakarta.servlet.http.HttpServletResponse resp, Bucket b, org.blockcloset.ledger.model.ObjectVersion o) {
        if (b == null || b.lifecycle() == null || o == null || o.marksDeletion()) {
            return;
        }
        org.blockcloset.storage.care.Lifecycle.expiresAt(b.lifecycle(), o, lifecycleDay).ifPresent(e ->
                resp.setHeader("x-amz-expiration", "expiry-date=\"" + Responses.httpDate(e.at()) + "\", rule-id=\"" + e.rule() + "\""));
    }
    /** S3's limit for a single PUT and for one part. */
    public static final long MAX_PUT_SIZE = 5L << 30;

    public Views views() {
        return ledger.views();
    }

    /** Buckets are made and deleted through their service, whoever asks (S3, the admin API, the console). */
    org.blockcloset.ledger.service.BucketService buckets() {
        return new org.blockcloset.ledger.service.BucketService(ledger, clock);
    }

    /** The request as a service's caller. */
    static org.blockcloset.ledger.service.Caller caller(S3Request r) {
        return new org.blockcloset.ledger.service.Caller(r.actor(), r.requestId(), r.http().getRemoteAddr());
    }

    /** A service's refusal in S3's terms. */
    static S3Exception refused(org.blockcloset.ledger.service.ChangeRefusedException e) {
        if (e.rejection() != null) {
            return refused(new RejectedException(e.rejection()));
        }
        return new S3Exception(S3Error.INVALID_REQUEST, e.getMessage());
    }

    Optional<String> secretOf(String accessKeyId) {
        return views().accessKey(accessKeyId).filter(AccessKey::active).flatMap(secrets::secretOf);
    }

    /**
     * In a cluster, a read waits until this node's views hold every write acknowledged anywhere before
     * it started (ADR 0004). A single node's own writes are applied before they are acknowledged, so
     * it has nothing to wait for. Returns whether it waited (views read before may be stale).
     */
    boolean readBarrier() {
        if (views().membership().nodes().size() > 1) {
            try {
                ledger.catchUp();
                return true;
            } catch (LedgerUnavailableException e) {
                throw new S3Exception(S3Error.SERVICE_UNAVAILABLE, "This node's views are behind the log; retry.", e);
            }
        }
        return false;
    }

    /**
     * Refuses, before any byte is received, a write of {@code bytes} to {@code key} that the bucket's
     * quota cannot take. The fold checks again in log order, which decides between concurrent writes.
     */
    void checkQuota(Bucket bucket, String key, long bytes) {
        if (bucket.quotaBytes() == null && bucket.quotaObjects() == null) {
            return;
        }
        org.blockcloset.ledger.model.BucketStats now = views().bucketStats(bucket.name());
        long replaced = views().object(bucket.name(), key).map(o -> o.size()).orElse(-1L);
        long objects = now.objects() + (replaced < 0 ? 1 : 0);
        long total = now.quotaBytes() + Math.max(0, bytes) - Math.max(0, replaced); // pending multipart parts count too
        if ((bucket.quotaObjects() != null && replaced < 0 && objects > bucket.quotaObjects())
                || (bucket.quotaBytes() != null && bytes > Math.max(0, replaced) && total > bucket.quotaBytes())) {
            throw new S3Exception(S3Error.QUOTA_EXCEEDED, "Bucket " + bucket.name() + " holds " + now.objects() + " objects and "
                    + now.bytes() + " bytes; its quota is " + (bucket.quotaObjects() == null ? "any number of" : bucket.quotaObjects())
                    + " objects and " + (bucket.quotaBytes() == null ? "any number of" : bucket.quotaBytes()) + " bytes");
        }
    }

    /**
     * A part of {@code bytes} may not take a bucket past its byte quota counting the objects and every
     * pending part (multipart uploads never completed fill the pool too). Checked before a byte of
     * the part is received; parts in flight at once may pass it together (the fold counts them, but
     * its rules cannot change for events already in the log).
     */
    void checkPartQuota(Bucket bucket, long bytes) {
        if (bucket.quotaBytes() == null) {
            return;
        }
        org.blockcloset.ledger.model.BucketStats now = views().bucketStats(bucket.name());
        if (now.quotaBytes() + Math.max(0, bytes) > bucket.quotaBytes()) {
            throw new S3Exception(S3Error.QUOTA_EXCEEDED, "Bucket " + bucket.name() + " holds " + now.bytes() + " bytes and "
                    + now.partBytes() + " bytes of parts of uploads not completed; its quota is " + bucket.quotaBytes() + " bytes");
        }
    }

    Bucket requireBucket(String name) {
        return lookUp(() -> views().bucket(name)).orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_BUCKET));
    }

    /**
     * A lookup in the views for a write (a bucket, an upload): writes skip the read barrier, so a
     * miss here may only mean this node has not applied a write acknowledged elsewhere yet (an upload
     * created through another gateway); the lookup is tried again after the barrier before the
     * request is refused. Hits cost nothing extra.
     */
    <T> Optional<T> lookUp(java.util.function.Supplier<Optional<T>> query) {
        return query.get().or(() -> {
            readBarrier();
            return query.get();
        });
    }

    /** Appends the request's event (one that references no new blocks); returns once it is durable and visible to every later read. */
    Ledger.Appended append(S3Request request, Event event) {
        try {
            return ledger.appendWithOffset(request.actor(), request.requestId(), request.http().getRemoteAddr(), event);
        } catch (RejectedException e) {
            throw refused(e);
        } catch (LedgerUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** Commits a write: its blocks durable, its event appended, its pins settled (see {@link ObjectService#commit}). */
    Ledger.Appended commit(S3Request request, WriteSet write, Event event) throws java.io.IOException {
        try {
            return objects.commit(write, request.actor(), request.requestId(), request.http().getRemoteAddr(), event);
        } catch (RejectedException e) {
            throw refused(e);
        } catch (LedgerUnavailableException e) {
            throw unavailable(e);
        }
    }

    static S3Exception refused(RejectedException e) {
        return switch (e.rejection()) {
            case NO_SUCH_BUCKET -> new S3Exception(S3Error.NO_SUCH_BUCKET);
            case BUCKET_EXISTS -> new S3Exception(S3Error.BUCKET_ALREADY_OWNED_BY_YOU);
            case BUCKET_NOT_EMPTY -> new S3Exception(S3Error.BUCKET_NOT_EMPTY);
            case NO_SUCH_UPLOAD -> new S3Exception(S3Error.NO_SUCH_UPLOAD);
            case NO_SUCH_KEY -> new S3Exception(S3Error.NO_SUCH_KEY);
            case PRECONDITION_FAILED -> new S3Exception(S3Error.PRECONDITION_FAILED);
            case QUOTA_EXCEEDED -> new S3Exception(S3Error.QUOTA_EXCEEDED);
            case NO_SUCH_VERSION -> new S3Exception(S3Error.NO_SUCH_VERSION);
            case OBJECT_LOCKED -> new S3Exception(S3Error.ACCESS_DENIED, "The version is protected by object lock "
                    + "(retention or legal hold).");
            case INVALID_BUCKET_STATE -> new S3Exception(S3Error.INVALID_BUCKET_STATE);
            default -> new S3Exception(S3Error.INVALID_REQUEST, e.rejection().name());
        };
    }

    static S3Exception unavailable(LedgerUnavailableException e) {
        if (e.definitelyNotWritten()) {
            return new S3Exception(S3Error.ENTITY_TOO_LARGE, "The object's metadata is too large to record: " + e.getMessage(), e);
        }
        return new OutcomeUnknownException(e);
    }
}
