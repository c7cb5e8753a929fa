package org.blockcloset.gateway.auth;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Locale;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;

/**
 * Passes a plain body through while hashing it, and throws
 * {@link S3Error#X_AMZ_CONTENT_SHA256_MISMATCH} when EOF is reached and the SHA-256 differs from
 * the signed {@code x-amz-content-sha256}. Only EOF proves the body authentic: the caller must read
 * to EOF before committing or exposing anything it read. Not thread safe; no mark/reset.
 */
public final class PayloadHashingInputStream extends FilterInputStream {
    private final MessageDigest sha256 = SigV4Crypto.newSha256();
    private final String expectedHex;
    /** Hex SHA-256 of the whole body, once EOF has been seen; every later EOF re-checks it. */
    private String actualHex;

    /** @param expectedHex the 64-hex SHA-256 the body must have (either case) */
    public PayloadHashingInputStream(InputStream in, String expectedHex) {
        super(in);
        this.expectedHex = expectedHex.toLowerCase(Locale.ROOT);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            verify();
        } else {
            sha256.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            verify();
        } else {
            sha256.update(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must still be hashed.
        byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // Unsupported: a reset would hash bytes twice.
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    private void verify() {
        if (actualHex == null) {
            actualHex = SigV4Crypto.hex(sha256.digest());
        }
        if (!actualHex.equals(expectedHex)) {
            throw new S3Exception(S3Error.X_AMZ_CONTENT_SHA256_MISMATCH)
                    .with("ClientComputedContentSHA256", expectedHex)
                    .with("S3ComputedContentSHA256", actualHex);
        }
    }
}
