package org.blockcloset.gateway.checksum;

import java.security.MessageDigest;

/** A {@link Hasher} over a {@link MessageDigest}. */
final class DigestHasher implements Hasher {
    private final MessageDigest md;
    private byte[] digest;

    DigestHasher(MessageDigest md) {
        this.md = md;
    }

    @Override
    public void update(byte[] b, int off, int len) {
        if (digest != null) {
            throw new IllegalStateException("hasher already finished");
        }
        md.update(b, off, len);
    }

    @Override
    public byte[] digest() {
        if (digest == null) {
            digest = md.digest();
        }
        return digest.clone();
    }
}
