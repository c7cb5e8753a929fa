package org.blockcloset.ledger.seal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.blockcloset.ledger.model.AccessKey;

/**
 * Seals access-key secrets before they go into an event, and opens them for SigV4 (ADR 0007).
 * AES-256-GCM with a key derived from the cluster secret, a random 96-bit nonce per secret, and the
 * access key id as associated data, so a sealed secret cannot be moved to another key. The sealed
 * form is {@code v1.<base64url(nonce || ciphertext || tag)>}.
 */
public final class SecretBox {
    private static final String PREFIX = "v1.";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public SecretBox(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    public String seal(String secret, String accessKeyId) {
        try {
            byte[] nonce = new byte[NONCE];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(accessKeyId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The secret, or empty when it was sealed with another key (another cluster) or tampered with. */
    public Optional<String> open(String sealed, String accessKeyId) {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            byte[] all = Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE));
            c.updateAAD(accessKeyId.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new String(c.doFinal(all, NONCE, all.length - NONCE), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** A key's secret as SigV4 needs it: opened when sealed, as stored for keys made before sealing. */
    public Optional<String> secretOf(AccessKey k) {
        return k.sealedSecret() != null ? open(k.sealedSecret(), k.accessKeyId()) : Optional.ofNullable(k.secretKey());
    }
}
