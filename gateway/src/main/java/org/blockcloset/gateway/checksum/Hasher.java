package org.blockcloset.gateway.checksum;

/**
 * An incremental checksum. The first call to {@link #digest()} or {@link #base64()} finishes it;
 * both may then be called again and return the same value, and {@code update} is rejected.
 */
public interface Hasher {
    void update(byte[] b, int off, int len);

    default void update(byte[] b) {
        update(b, 0, b.length);
    }

    /** The checksum in S3's binary form: big-endian for CRCs, the raw digest for SHA. */
    byte[] digest();

    /** The checksum as S3 sends it in {@code x-amz-checksum-*}: base64 of {@link #digest()}. */
    default String base64() {
        return java.util.Base64.getEncoder().encodeToString(digest());
    }
}
