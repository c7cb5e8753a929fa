package org.blockcloset.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;

/**
 * AWS Signature Version 2, for the backup appliances and tools that still sign that way (issue 19):
 * the {@code Authorization: AWS id:signature} header, query-string URLs ({@code AWSAccessKeyId},
 * {@code Expires}, {@code Signature}) and POST form policies. The signature is the Base64
 * HMAC-SHA1, under the key's secret, of the method, Content-MD5, Content-Type, the date (or the
 * URL's expiry), the {@code x-amz-*} headers and the resource with its sub-resources, as AWS
 * documents it and S3Proxy and radosgw accept it. Version 2 does not sign the body: a body is
 * checked only against a Content-MD5 or {@code x-amz-content-sha256} it carries. S3 only; the admin
 * API takes version 4 alone. Off with {@code BLOCKCLOSET_SIGV2=false}.
 */
public final class SigV2 {
    /** The query parameters that name a sub-resource, and so belong to the signed resource. */
    static final Set<String> SUBRESOURCES = Set.of("acl", "attributes", "cors", "delete", "encryption", "legal-hold", "lifecycle",
            "location", "logging", "notification", "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus",
            "publicAccessBlock", "replication", "requestPayment", "response-cache-control", "response-content-disposition",
            "response-content-encoding", "response-content-language", "response-content-type", "response-expires", "restore",
            "retention", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website");
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);
    /** As for version 4 URLs: a link lives at most a week. */
    private static final Duration MAX_EXPIRY = Duration.ofDays(7);

    private SigV2() {
    }

    /** An {@code Authorization: AWS id:signature} request. */
    static AuthContext verifyHeader(SignedRequest request, String authorization, Function<String, Optional<String>> secrets,
                                    Clock clock, String hostBucket) {
        String credentials = authorization.substring("AWS ".length()).trim();
        int colon = credentials.lastIndexOf(':');
        if (colon <= 0 || colon == credentials.length() - 1) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "AWS authorization header is invalid. Expected AwsAccessKeyId:signature");
        }
        String id = credentials.substring(0, colon);
        String signature = credentials.substring(colon + 1);
        String amzDate = request.header("x-amz-date");
        String date = amzDate != null ? amzDate : request.header("date");
        if (date == null) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "AWS authentication requires a valid Date or x-amz-date header");
        }
        Instant at = parseDate(date);
        Instant now = clock.instant();
        if (Duration.between(at, now).abs().compareTo(MAX_SKEW) > 0) {
            throw new S3Exception(S3Error.REQUEST_TIME_TOO_SKEWED).with("RequestTime", date).with("ServerTime", now.toString())
                    .with("MaxAllowedSkewMilliseconds", String.valueOf(MAX_SKEW.toMillis()));
        }
        // With x-amz-date the Date line is empty: the date is signed among the x-amz-* headers.
        check(request, id, signature, amzDate != null ? "" : date, secrets, hostBucket, false);
        return context(request, id, false);
    }

    /** A query-string URL: {@code AWSAccessKeyId}, {@code Expires} (seconds since the epoch), {@code Signature}. */
    static AuthContext verifyQuery(SignedRequest request, String id, String expires, String signature,
                                   Function<String, Optional<String>> secrets, Clock clock, String hostBucket) {
        if (expires == null) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Query-string authentication requires the Signature, Expires and "
                    + "AWSAccessKeyId parameters");
        }
        long seconds;
        try {
            seconds = Long.parseLong(expires.trim());
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Expires must be a number of seconds since the epoch");
        }
        Instant now = clock.instant();
        if (seconds < 0 || seconds > now.getEpochSecond() + MAX_EXPIRY.plus(MAX_SKEW).toSeconds()) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "A presigned URL may be valid for at most a week");
        }
        Instant expiry = Instant.ofEpochSecond(seconds);
        if (now.isAfter(expiry)) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Request has expired").with("Expires", expiry.toString())
                    .with("ServerTime", now.toString());
        }
        if (expiry.isAfter(now.plus(MAX_EXPIRY).plus(MAX_SKEW))) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "A presigned URL may be valid for at most a week");
        }
        check(request, id, signature, expires.trim(), secrets, hostBucket, true);
        return context(request, id, true);
    }

    /** A POST form's policy signature: the Base64 HMAC-SHA1 of the Base64 policy. Returns the key that signed it. */
    static String verifyPolicy(String id, String policyBase64, String signature, Function<String, Optional<String>> secrets) {
        String secret = secrets.apply(id).orElseThrow(() -> new S3Exception(S3Error.INVALID_ACCESS_KEY_ID));
        if (signature == null || !equal(sign(secret, policyBase64), signature.trim())) {
            throw new S3Exception(S3Error.SIGNATURE_DOES_NOT_MATCH);
        }
        return id;
    }

    private static void check(SignedRequest request, String id, String signature, String dateLine,
                              Function<String, Optional<String>> secrets, String hostBucket, boolean query) {
        String secret = secrets.apply(id).orElseThrow(() ->
                new S3Exception(S3Error.INVALID_ACCESS_KEY_ID).with("AWSAccessKeyId", id));
        String stringToSign = stringToSign(request, dateLine, hostBucket, query);
        if (!equal(sign(secret, stringToSign), signature)) {
            throw new S3Exception(S3Error.SIGNATURE_DOES_NOT_MATCH).with("StringToSign", stringToSign);
        }
    }

    /** The body as version 2 leaves it: checked against an {@code x-amz-content-sha256} hash when one is sent. */
    private static AuthContext context(SignedRequest request, String id, boolean presigned) {
        String sha = request.header("x-amz-content-sha256");
        if (sha != null && sha.trim().matches("[0-9a-fA-F]{64}")) {
            return new AuthContext(id, PayloadMode.SHA256, sha.trim().toLowerCase(Locale.ROOT), null, -1, presigned, true);
        }
        return new AuthContext(id, PayloadMode.UNSIGNED, null, null, -1, presigned, true);
    }

    static String stringToSign(SignedRequest request, String dateLine, String hostBucket, boolean query) {
        StringBuilder s = new StringBuilder();
        s.append(request.method()).append('\n');
        s.append(orEmpty(request.header("content-md5"))).append('\n');
        s.append(orEmpty(request.header("content-type"))).append('\n');
        s.append(dateLine).append('\n');
        Map<String, String> amz = new TreeMap<>();
        for (String name : request.headerNames()) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.startsWith("x-amz-") && !(query && n.equals("x-amz-date"))) {
                List<String> values = new ArrayList<>();
                request.headers(n).forEach(v -> values.add(v.trim().replaceAll("\\s*\\n\\s*", " ")));
                amz.put(n, String.join(",", values));
            }
        }
        amz.forEach((n, v) -> s.append(n).append(':').append(v).append('\n'));
        s.append(resource(request, hostBucket));
        return s.toString();
    }

    /** The path as sent (with the bucket in front when the Host named it), then its sub-resources, sorted. */
    static String resource(SignedRequest request, String hostBucket) {
        StringBuilder r = new StringBuilder();
        if (hostBucket != null) {
            r.append('/').append(hostBucket);
        }
        String path = request.rawPath() == null || request.rawPath().isEmpty() ? "/" : request.rawPath();
        r.append(path);
        Map<String, String> sub = new TreeMap<>();
        for (Map.Entry<String, String> p : SigV4Canonical.decodeQuery(request.rawQuery())) {
            if (SUBRESOURCES.contains(p.getKey()) && sub.put(p.getKey(), p.getValue()) != null) {
                // One value is signed, the handlers read the other: ?versionId=a&versionId=b must not pass.
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "The sub-resource " + p.getKey() + " is given more than once.");
            }
        }
        char sep = '?';
        for (Map.Entry<String, String> e : sub.entrySet()) {
            r.append(sep).append(e.getKey());
            if (e.getValue() != null && !e.getValue().isEmpty()) {
                r.append('=').append(e.getValue());
            }
            sep = '&';
        }
        return r.toString();
    }

    private static Instant parseDate(String date) {
        String d = date.trim();
        try {
            return ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.from(SigV4Verifier.AMZ_DATE.parse(d));
            } catch (DateTimeParseException e2) {
                throw new S3Exception(S3Error.ACCESS_DENIED, "AWS authentication requires a valid Date or x-amz-date header");
            }
        }
    }

    static String sign(String secret, String stringToSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean equal(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
