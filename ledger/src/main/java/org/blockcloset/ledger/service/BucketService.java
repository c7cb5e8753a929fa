package org.blockcloset.ledger.service;

import java.time.Clock;
import org.blockcloset.ledger.Ledger;
import org.blockcloset.ledger.LedgerUnavailableException;
import org.blockcloset.ledger.event.BucketCreated;
import org.blockcloset.ledger.event.BucketDeleted;
import org.blockcloset.ledger.event.BucketQuotaChanged;
import org.blockcloset.ledger.event.BucketReplicationChanged;
import org.blockcloset.ledger.model.BucketName;
import org.blockcloset.ledger.model.Rejection;

/**
 * The one place buckets are made, deleted, and given a quota or a number of copies (issue 18): S3's
 * CreateBucket and DeleteBucket, the admin API and the console all come here, so each rule is
 * checked the same way whoever asks. A check here refuses early and says why; the views decide in
 * log order between concurrent changes (a second create, a put into a bucket being deleted).
 */
public final class BucketService {
    /** Copies a bucket may ask for: one to three (never more than the layout keeps). */
    public static final int MAX_COPIES = 3;
    private final Ledger ledger;
    private final Clock clock;

    public BucketService(Ledger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * @param objectLock true: with object lock (versioning on for good)
     * @param acl        a canned ACL, or null for private
     */
    public Ledger.Appended create(Caller c, String name, boolean objectLock, String acl)
            throws ChangeRefusedException, LedgerUnavailableException {
        if (!BucketName.valid(name)) {
            throw Changes.invalid("\"" + name + "\" is not a valid bucket name: " + BucketName.RULES + ".");
        }
        return Changes.append(ledger, c, new BucketCreated(name, clock.instant(), objectLock ? Boolean.TRUE : null, acl),
                "bucket " + name + " not created");
    }

    /** Deletes an empty bucket (versions and delete markers count, as in S3). */
    public Ledger.Appended delete(Caller c, String name) throws ChangeRefusedException, LedgerUnavailableException {
        String what = "bucket " + name + " not deleted";
        if (ledger.views().bucket(name).isEmpty()) {
            throw Changes.refused(Rejection.NO_SUCH_BUCKET, what);
        }
        if (!ledger.views().bucketIsEmpty(name)) {
            throw Changes.refused(Rejection.BUCKET_NOT_EMPTY, what);
        }
        return Changes.append(ledger, c, new BucketDeleted(name), what);
    }

    /** A quota of bytes and of objects; null: no limit. */
    public Ledger.Appended setQuota(Caller c, String name, Long maxBytes, Long maxObjects)
            throws ChangeRefusedException, LedgerUnavailableException {
        if ((maxBytes != null && maxBytes < 0) || (maxObjects != null && maxObjects < 0)) {
            throw Changes.invalid("A quota is 0 or more bytes and 0 or more objects (none: no limit).");
        }
        return Changes.append(ledger, c, new BucketQuotaChanged(name, maxBytes, maxObjects), "quota of " + name + " not set");
    }

    /** The copies each new block of the bucket keeps; null: the cluster's default. */
    public Ledger.Appended setCopies(Caller c, String name, Integer copies)
            throws ChangeRefusedException, LedgerUnavailableException {
        if (copies != null && (copies < 1 || copies > MAX_COPIES)) {
            throw Changes.invalid("A bucket keeps 1, 2 or 3 copies of each block, or the cluster's default.");
        }
        return Changes.append(ledger, c, new BucketReplicationChanged(name, copies), "copies of " + name + " not set");
    }
}
