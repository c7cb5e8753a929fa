package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.blockcloset.gateway.checksum.ChecksumAlgorithm;
import org.blockcloset.gateway.checksum.Hasher;
import org.blockcloset.ledger.model.BlockRef;
import org.blockcloset.gateway.object.WriteSet;

/**
 * Streams a request body into a write set's blocks, computing the MD5 (the ETag) and any requested
 * checksums on the way. Nothing is held in memory beyond one read buffer. The blocks stay pinned in
 * the write set until the handler commits it (or closes it on failure).
 */
final class BodyWriter {
    private static final int READ_BUFFER = 128 << 10;

    /** What was written: blocks in object order, size, MD5 and checksums of the whole body. */
    record Written(List<BlockRef> blocks, long size, byte[] md5, Map<ChecksumAlgorithm, Hasher> checksums) {
    }

    private BodyWriter() {
    }

    /**
     * Reads {@code body} to EOF into {@code into}; {@code expectedSize} (-1 if unknown) only sizes the
     * buffer. Errors reading the body become {@code IncompleteBody}.
     */
    static Written write(WriteSet into, InputStream body, Collection<ChecksumAlgorithm> algorithms, long maxSize,
                         long expectedSize) throws IOException {
        MessageDigest md5 = md5();
        Map<ChecksumAlgorithm, Hasher> hashers = new EnumMap<>(ChecksumAlgorithm.class);
        algorithms.forEach(a -> hashers.put(a, a.newHasher()));
        // Small objects dominate request rates: don't allocate 128 KiB to receive 4 KiB.
        byte[] buf = new byte[expectedSize < 0 ? READ_BUFFER : (int) Math.max(1, Math.min(READ_BUFFER, expectedSize))];
        long total = 0;
        while (true) {
            int n = read(body, buf);
            if (n < 0) {
                break;
            }
            total += n;
            if (total > maxSize) {
                throw new S3Exception(S3Error.ENTITY_TOO_LARGE);
            }
            md5.update(buf, 0, n);
            for (Hasher h : hashers.values()) {
                h.update(buf, 0, n);
            }
            into.write(buf, 0, n);
        }
        return new Written(into.endRun(), total, md5.digest(), hashers);
    }

    private static int read(InputStream body, byte[] buf) {
        try {
            int n = body.readNBytes(buf, 0, buf.length);
            return n == 0 ? -1 : n;
        } catch (S3Exception e) {
            throw e;
        } catch (IOException e) {
            throw new S3Exception(S3Error.INCOMPLETE_BODY,
                    "The request body ended before the length it announced: " + e.getMessage(), e);
        }
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
