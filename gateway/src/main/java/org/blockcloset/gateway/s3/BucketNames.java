package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.ledger.model.BucketName;

/** S3's answer to a bucket name that breaks the naming rules ({@link BucketName}). */
public final class BucketNames {
    private BucketNames() {
    }

    static void check(String name) {
        if (!BucketName.valid(name)) {
            throw new S3Exception(S3Error.INVALID_BUCKET_NAME, "The specified bucket is not valid: " + name);
        }
    }
}
