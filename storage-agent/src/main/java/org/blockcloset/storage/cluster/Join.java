package org.blockcloset.storage.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.blockcloset.ledger.seal.SecretBox;
import org.blockcloset.ledger.model.NodeAddress;

/**
 * The join protocol's shared parts (ADR 0009). A join token is {@code <id>.<secret>}; an admin
 * creates it on any member, the log keeps its secret sealed, and the new node proves it holds the
 * secret without sending it: every join request carries an HMAC of its time, its body and an
 * ephemeral X25519 public key keyed with the secret. The member answers with an ephemeral X25519
 * key of its own and seals its answer (which holds the cluster secret) with a key derived from the
 * token's secret and the two keys' agreement: someone watching the LAN learns neither the token nor
 * the cluster secret, and whoever gets the token later still cannot open a recorded join (forward
 * secrecy: the ephemeral private keys are gone). Both sides hold the token, so an answer that opens
 * came from a member.
 */
public final class Join {
    public static final String PATH = "/v1/join";
    public static final String TOKEN_HEADER = "X-Join-Token";
    public static final String TIME_HEADER = "X-Join-Time";
    public static final String PROOF_HEADER = "X-Join-Proof";
    /** The joining node's ephemeral X25519 public key (X.509 encoding, base64); the answer carries the member's as "key". */
    public static final String KEY_HEADER = "X-Join-Key";
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a joining node says about itself. */
    public record Request(String nodeId, NodeAddress address, Set<String> roles, String zone, long capacity) {
    }

    /** What it gets back, sealed: everything it needs to start its log and its views. */
    public record Answer(String clusterSecret, String kafkaClusterId, int kraftId, boolean controller,
                         String controllerBootstrap, String kafkaBootstrap) {
    }

    /** A token as the admin hands it out. */
    public record Token(String id, byte[] secret) {
        public static Token parse(String text) {
            int dot = text == null ? -1 : text.trim().indexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("a join token looks like <id>.<secret>");
            }
            String t = text.trim();
            return new Token(t.substring(0, dot), Base64.getUrlDecoder().decode(t.substring(dot + 1)));
        }

        public static Token random() {
            byte[] id = new byte[8];
            byte[] secret = new byte[32];
            RANDOM.nextBytes(id);
            RANDOM.nextBytes(secret);
            return new Token(HexFormat.of().formatHex(id), secret);
        }

        @Override
        public String toString() {
            return id + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        }

        public String secretText() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        }
    }

    private Join() {
    }

    static String proof(byte[] tokenSecret, long time, byte[] body, String key) {
        try {
            String text = time + "\n" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)) + "\n" + key;
            return HexFormat.of().formatHex(hmac(tokenSecret, text));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the request's time header is a number within the allowed skew of {@code now}: checked before its body is read. */
    static boolean fresh(String time, Instant now) {
        try {
            return Math.abs(now.getEpochSecond() - Long.parseLong(time)) <= MAX_SKEW.toSeconds();
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
    }

    static boolean verify(byte[] tokenSecret, String time, String proof, byte[] body, String key, Instant now) {
        long t;
        try {
            t = Long.parseLong(time);
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
        if (proof == null || key == null || Math.abs(now.getEpochSecond() - t) > MAX_SKEW.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(proof(tokenSecret, t, body, key).getBytes(StandardCharsets.US_ASCII),
                proof.getBytes(StandardCharsets.US_ASCII));
    }

    /** A fresh X25519 key pair for one join (the JDK's own X25519). */
    static java.security.KeyPair ephemeral() {
        try {
            return java.security.KeyPairGenerator.getInstance("X25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A public key as the header and the answer carry it. */
    static String text(java.security.PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /**
     * The box the answer is sealed in: a key derived from the token's secret, the X25519 agreement of
     * {@code mine} with {@code theirs}, and both public keys (joiner's first).
     *
     * @throws IllegalArgumentException {@code theirs} is not an X25519 public key
     */
    static SecretBox answerBox(byte[] tokenSecret, java.security.PrivateKey mine, String theirs, String joinerKey, String memberKey) {
        byte[] shared;
        try {
            java.security.PublicKey other = java.security.KeyFactory.getInstance("X25519")
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(Base64.getDecoder().decode(theirs)));
            javax.crypto.KeyAgreement ka = javax.crypto.KeyAgreement.getInstance("X25519");
            ka.init(mine);
            ka.doPhase(other, true);
            shared = ka.generateSecret();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an X25519 public key", e);
        }
        return new SecretBox(hmac(tokenSecret, "blockcloset join answer v2\n" + HexFormat.of().formatHex(shared)
                + "\n" + joinerKey + "\n" + memberKey));
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
