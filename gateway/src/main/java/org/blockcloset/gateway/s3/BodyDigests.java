package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import org.blockcloset.gateway.checksum.ChecksumAlgorithm;
import org.blockcloset.gateway.checksum.Hasher;

/** Verifies Content-MD5 and x-amz-checksum-* of a small body already read into memory. */
final class BodyDigests {
    private BodyDigests() {
    }

    /** @param in the stream the body was read from (its trailers may carry the checksum) */
    static void verify(S3Request r, byte[] body, java.io.InputStream in) {
        ChecksumRequest checksums = ChecksumRequest.of(r.http());
        String md5 = r.header("Content-MD5");
        if (md5 != null) {
            byte[] expected;
            try {
                expected = Base64.getDecoder().decode(md5.trim());
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_DIGEST);
            }
            if (!MessageDigest.isEqual(expected, BodyWriter.md5().digest(body))) {
                throw new S3Exception(S3Error.BAD_DIGEST);
            }
        }
        Map<ChecksumAlgorithm, Hasher> computed = new EnumMap<>(ChecksumAlgorithm.class);
        for (ChecksumAlgorithm a : checksums.algorithms()) {
            Hasher h = a.newHasher();
            h.update(body, 0, body.length);
            computed.put(a, h);
        }
        checksums.verify(computed, in);
    }
}
