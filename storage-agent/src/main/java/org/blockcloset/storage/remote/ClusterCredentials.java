package org.blockcloset.storage.remote;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The credentials nodes of one cluster prove to each other on every node-to-node HTTP call. Each
 * request carries {@code Authorization: BC-HMAC-SHA256 node=<id>,time=<epoch s>,signature=<hex>},
 * an HMAC-SHA256 over the method, the raw path, the raw query, the time and the calling node, keyed
 * with a key derived from the cluster secret. The secret itself never crosses the wire; a captured
 * request is refused once its time is more than {@link #MAX_SKEW} away from the receiver's clock.
 * Bodies are not signed: block bodies are verified against their content address instead.
 */
public final class ClusterCredentials {
    public static final String SCHEME = "BC-HMAC-SHA256";
    /** How far a request's time may be from the receiver's clock (homelab clocks drift; NTP keeps them close). */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);
    private static final Pattern HEADER = Pattern.compile(
            Pattern.quote(SCHEME) + " node=([A-Za-z0-9._-]{1,64}),time=(\\d{1,12}),signature=([0-9a-f]{64})");

    private final byte[] key;

    /** @param clusterSecret the secret made at the cluster's first start (at least 16 bytes) */
    public ClusterCredentials(byte[] clusterSecret) {
        Objects.requireNonNull(clusterSecret, "clusterSecret");
        if (clusterSecret.length < 16) {
            throw new IllegalArgumentException("cluster secret too short: " + clusterSecret.length + " bytes");
        }
        this.key = hmac(clusterSecret, "blockcloset node-to-node v1".getBytes(StandardCharsets.UTF_8));
    }

    /** The Authorization header value for a request from {@code node}. */
    public String authorization(String node, String method, String rawPath, String rawQuery, Instant time) {
        long t = time.getEpochSecond();
        return SCHEME + " node=" + node + ",time=" + t + ",signature="
                + HexFormat.of().formatHex(signature(node, method, rawPath, rawQuery, t));
    }

    /**
     * Checks a request's Authorization header. Returns the calling node's id, or null when the
     * header is absent, malformed, stale or does not match.
     */
    public String verify(String header, String method, String rawPath, String rawQuery, Instant now) {
        if (header == null) {
            return null;
        }
        Matcher m = HEADER.matcher(header.trim());
        if (!m.matches()) {
            return null;
        }
        long t = Long.parseLong(m.group(2));
        if (Math.abs(now.getEpochSecond() - t) > MAX_SKEW.toSeconds()) {
            return null;
        }
        byte[] expected = signature(m.group(1), method, rawPath, rawQuery, t);
        byte[] given = HexFormat.of().parseHex(m.group(3));
        return MessageDigest.isEqual(expected, given) ? m.group(1) : null;
    }

    private byte[] signature(String node, String method, String rawPath, String rawQuery, long time) {
        String text = method + "\n" + rawPath + "\n" + (rawQuery == null ? "" : rawQuery) + "\n" + time + "\n" + node;
        return hmac(key, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
