package org.blockcloset.gateway.auth;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signs an HTTP request with SigV4 (header form) for the admin API: the commands of
 * {@code ops/blockcloset} call it with an admin key without sending the secret. Signs host,
 * x-amz-content-sha256 and x-amz-date; the payload hash covers the body.
 */
public final class RequestSigner {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private RequestSigner() {
    }

    /** The headers to add to the request: Authorization, x-amz-date, x-amz-content-sha256. */
    public static Map<String, String> sign(String method, URI uri, byte[] body, String accessKeyId, String secret, String region,
                                           Instant now) {
        return sign(method, uri, SigV4Crypto.hex(SigV4Crypto.newSha256().digest(body)), Map.of(), accessKeyId, secret, region, now);
    }

    /** Signs a call to the admin API: its own credential scope service ({@link SigV4Verifier#ADMIN_SERVICE}). */
    public static Map<String, String> signAdmin(String method, URI uri, byte[] body, String accessKeyId, String secret,
                                                String region, Instant now) {
        return sign(method, uri, SigV4Crypto.hex(SigV4Crypto.newSha256().digest(body)), Map.of(), accessKeyId, secret, region, now,
                SigV4Verifier.ADMIN_SERVICE);
    }

    /**
     * Signs with a given payload hash (a hex SHA-256, or a streaming mode such as
     * STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and further headers, which are signed too; the returned
     * headers include them.
     */
    public static Map<String, String> sign(String method, URI uri, String payloadHash, Map<String, String> extra,
                                           String accessKeyId, String secret, String region, Instant now) {
        return sign(method, uri, payloadHash, extra, accessKeyId, secret, region, now, "s3");
    }

    private static Map<String, String> sign(String method, URI uri, String payloadHash, Map<String, String> extra,
                                            String accessKeyId, String secret, String region, Instant now, String service) {
        String amzDate = AMZ_DATE.format(now);
        String date = amzDate.substring(0, 8);
        String host = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        TreeMap<String, String> query = new TreeMap<>();
        if (uri.getRawQuery() != null) {
            for (Map.Entry<String, String> e : SigV4Canonical.decodeQuery(uri.getRawQuery())) {
                query.put(Presigner.encode(e.getKey(), false), Presigner.encode(e.getValue(), false));
            }
        }
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.isEmpty() ? "" : "&").append(k).append('=').append(v));
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        TreeMap<String, String> signed = new TreeMap<>();
        extra.forEach((k, v) -> signed.put(k.toLowerCase(java.util.Locale.ROOT), v.trim()));
        signed.put("host", host);
        signed.put("x-amz-content-sha256", payloadHash);
        signed.put("x-amz-date", amzDate);
        StringBuilder headerLines = new StringBuilder();
        signed.forEach((k, v) -> headerLines.append(k).append(':').append(v).append('\n'));
        String names = String.join(";", signed.keySet());
        String canonical = method + "\n" + path + "\n" + q + "\n" + headerLines + "\n" + names + "\n" + payloadHash;
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + SigV4Crypto.sha256Hex(canonical);
        String signature = SigV4Crypto.hex(SigV4Crypto.hmac(SigV4Crypto.signingKey(secret, date, region, service), toSign));
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("x-amz-date", amzDate);
        headers.put("x-amz-content-sha256", payloadHash);
        headers.put("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope
                + ", SignedHeaders=" + names + ", Signature=" + signature);
        return headers;
    }
}
