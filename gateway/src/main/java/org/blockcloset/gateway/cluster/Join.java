package org.blockcloset.gateway.cluster;

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
import org.blockcloset.gateway.node.SecretBox;
import org.blockcloset.ledger.model.NodeAddress;

/**
 * The join protocol's shared parts (ADR 0009). A join token is {@code <id>.<secret>}; an admin
 * creates it on any member, the log keeps its secret sealed, and the new node proves it holds the
 * secret without sending it: every join request carries an HMAC of its time and body keyed with the
 * secret, and the member seals its answer (which holds the cluster secret) with a key derived from
 * it. Someone watching the LAN learns neither the token nor the cluster secret.
 */
public final class Join {
    public static final String PATH = "/v1/join";
    public static final String TOKEN_HEADER = "X-Join-Token";
    public static final String TIME_HEADER = "X-Join-Time";
    public static final String PROOF_HEADER = "X-Join-Proof";
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

        String secretText() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        }
    }

    private Join() {
    }

    static String proof(byte[] tokenSecret, long time, byte[] body) {
        try {
            String text = time + "\n" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
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

    static boolean verify(byte[] tokenSecret, String time, String proof, byte[] body, Instant now) {
        long t;
        try {
            t = Long.parseLong(time);
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
        if (proof == null || Math.abs(now.getEpochSecond() - t) > MAX_SKEW.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(proof(tokenSecret, t, body).getBytes(StandardCharsets.US_ASCII),
                proof.getBytes(StandardCharsets.US_ASCII));
    }

    /** The box the answer is sealed in: a key only the token's holders can derive. */
    static SecretBox answerBox(byte[] tokenSecret) {
        return new SecretBox(hmac(tokenSecret, "blockcloset join answer v1"));
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
