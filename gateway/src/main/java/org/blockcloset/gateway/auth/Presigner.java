package org.blockcloset.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes SigV4 presigned GET URLs (query-string authentication), as an S3 client's presigner does:
 * the console's download and share links. Only the host header is signed; the payload is
 * UNSIGNED-PAYLOAD. The node's own verifier ({@link SigV4Verifier}) checks them like any client's.
 */
public final class Presigner {
    public static final Duration MAX_EXPIRY = Duration.ofDays(7);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private Presigner() {
    }

    /**
     * @param scheme   "http" or "https", as the S3 port speaks
     * @param hostPort the Host the client will send ("192.168.1.10:9000")
     * @param extra    further query parameters to sign (response-content-disposition, …)
     */
    public static String presignGet(String scheme, String hostPort, String bucket, String key, String region, String accessKeyId, String secret,
                                    Instant now, Duration expires, Map<String, String> extra) {
        if (expires.isNegative() || expires.isZero() || expires.compareTo(MAX_EXPIRY) > 0) {
            throw new IllegalArgumentException("a presigned URL lasts between 1 second and 7 days");
        }
        String amzDate = AMZ_DATE.format(now);
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/s3/aws4_request";
        Map<String, String> query = new TreeMap<>(extra);
        query.put("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
        query.put("X-Amz-Credential", accessKeyId + "/" + scope);
        query.put("X-Amz-Date", amzDate);
        query.put("X-Amz-Expires", Long.toString(expires.toSeconds()));
        query.put("X-Amz-SignedHeaders", "host");
        StringBuilder q = new StringBuilder();
        // Sorted by encoded name; the names here encode to themselves, so the map's order is that order.
        query.forEach((k, v) -> q.append(q.isEmpty() ? "" : "&").append(encode(k, false)).append('=').append(encode(v, false)));
        String path = "/" + encode(bucket, false) + "/" + encode(key, true);
        String canonical = "GET\n" + path + "\n" + q + "\nhost:" + hostPort + "\n\nhost\nUNSIGNED-PAYLOAD";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + SigV4Crypto.sha256Hex(canonical);
        String signature = SigV4Crypto.hex(SigV4Crypto.hmac(SigV4Crypto.signingKey(secret, date, region, "s3"), toSign));
        return scheme + "://" + hostPort + path + "?" + q + "&X-Amz-Signature=" + signature;
    }

    /** RFC 3986 percent-encoding of UTF-8 as SigV4 wants it: unreserved characters kept, '/' kept in paths. */
    static String encode(String s, boolean keepSlash) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || (keepSlash && c == '/')) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }
}
