package org.blockcloset.gateway.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;

/**
 * Verifies AWS Signature Version 4 on S3 requests: the {@code Authorization} header form and the
 * presigned query form. Requests without any authentication yield {@link AuthContext#anonymous()}.
 *
 * <p>Any region in the credential scope is accepted (see {@link CredentialScope#parse}). Thread
 * safe if the secret lookup is.
 */
public final class SigV4Verifier {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String SIGV4A = "AWS4-ECDSA-P256-SHA256";
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final long MAX_EXPIRES_SECONDS = 604800;

    private final Function<String, Optional<String>> secrets;
    private final Clock clock;

    /** @param secrets access key id → secret key; empty for an unknown key */
    public SigV4Verifier(Function<String, Optional<String>> secrets, Clock clock) {
        this(secrets, clock, "s3");
    }

    /**
     * @param service the credential scope's service this endpoint takes: {@code s3} for S3,
     *                {@link #ADMIN_SERVICE} for the admin API, so that a signature made for one is
     *                refused by the other
     */
    public SigV4Verifier(Function<String, Optional<String>> secrets, Clock clock, String service) {
        this(secrets, clock, service, false);
    }

    private SigV4Verifier(Function<String, Optional<String>> secrets, Clock clock, String service, boolean sigV2) {
        this.secrets = secrets;
        this.clock = clock;
        this.service = service;
        this.sigV2 = sigV2 && "s3".equals(service); // the admin API takes version 4 alone
    }

    /** Whether version 2 signatures ({@link SigV2}) are taken too (S3 only; BLOCKCLOSET_SIGV2). */
    private final boolean sigV2;

    /** This verifier taking version 2 signatures too, or not. */
    public SigV4Verifier withSigV2(boolean accept) {
        return new SigV4Verifier(secrets, clock, service, accept);
    }

    /** This verifier with another source of secrets (one request's, which reads each key once). */
    public SigV4Verifier withSecrets(Function<String, Optional<String>> secrets) {
        return new SigV4Verifier(secrets, clock, service, sigV2);
    }

    /** The credential scope's service of the admin API ({@code curl --aws-sigv4 aws:amz:REGION:blockcloset-admin}). */
    public static final String ADMIN_SERVICE = "blockcloset-admin";
    private final String service;

    /**
     * A browser form's policy signature (POST Object with SigV4 fields): the hex HMAC of the
     * base64 policy under the signing key of {@code x-amz-credential}. Returns the key that signed it.
     */
    public String verifyPolicy(String credential, String policyBase64, String signature) {
        CredentialScope scope = CredentialScope.parse(credential, S3Error.INVALID_ARGUMENT, service);
        String secret = secrets.apply(scope.accessKeyId()).orElseThrow(() -> new S3Exception(S3Error.INVALID_ACCESS_KEY_ID));
        String expected = SigV4Crypto.hex(SigV4Crypto.hmac(
                SigV4Crypto.signingKey(secret, scope.date(), scope.region(), scope.service()), policyBase64));
        if (signature == null || !SigV4Crypto.signaturesEqual(expected, signature.trim())) {
            throw new S3Exception(S3Error.SIGNATURE_DOES_NOT_MATCH);
        }
        return scope.accessKeyId();
    }

    /** Authenticates the request or throws {@link S3Exception}. */
    public AuthContext verify(SignedRequest request) {
        return verify(request, null);
    }

    /**
     * A version 2 form policy's signature ({@code AWSAccessKeyId}, {@code signature} fields);
     * returns the key that signed it. Refused where version 2 is not taken.
     */
    public String verifyPolicyV2(String accessKeyId, String policyBase64, String signature) {
        if (!sigV2) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Signature Version 2 form uploads are not accepted here; sign the policy "
                    + "with AWS4-HMAC-SHA256.");
        }
        return SigV2.verifyPolicy(accessKeyId, policyBase64, signature, secrets);
    }

    /**
     * Authenticates the request or throws {@link S3Exception}; {@code hostBucket} is the bucket the
     * Host header named (virtual-hosted style), which a version 2 signature covers, else null.
     */
    public AuthContext verify(SignedRequest request, String hostBucket) {
        String authorization = request.header("authorization");
        List<Map.Entry<String, String>> params = SigV4Canonical.decodeQuery(request.rawQuery());
        String queryAlgorithm = param(params, "X-Amz-Algorithm");
        boolean queryV2 = param(params, "AWSAccessKeyId") != null && param(params, "Signature") != null;
        if (authorization != null && (queryAlgorithm != null || queryV2)) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Only one auth mechanism allowed; only the X-Amz-Algorithm "
                    + "query parameter, Signature query string parameter or the Authorization header should be specified");
        }
        if (authorization != null && authorization.trim().startsWith("AWS ") && sigV2) {
            return SigV2.verifyHeader(request, authorization.trim(), secrets, clock, hostBucket);
        }
        if (authorization != null) {
            return verifyHeader(request, authorization.trim());
        }
        if (queryAlgorithm != null) {
            return verifyPresigned(request, params, queryAlgorithm);
        }
        if (queryV2) {
            if (!sigV2) {
                throw unsupportedV2();
            }
            return SigV2.verifyQuery(request, param(params, "AWSAccessKeyId"), param(params, "Expires"), param(params, "Signature"),
                    secrets, clock, hostBucket);
        }
        return anonymous(request);
    }

    /**
     * An unsigned request (served only where an ACL allows it): its body is still checked as it
     * says, a SHA-256 against the hash, an unsigned aws-chunked body decoded and its trailer checksum
     * verified; a body that claims chunk signatures cannot come without a signature.
     */
    private static AuthContext anonymous(SignedRequest request) {
        String sha = request.header("x-amz-content-sha256");
        if (sha == null || sha.equals(PayloadMode.UNSIGNED.literal())) {
            return AuthContext.anonymous();
        }
        if (sha.matches("[0-9a-f]{64}")) {
            return new AuthContext(null, PayloadMode.SHA256, sha, null, -1, false, true);
        }
        if (sha.equals(PayloadMode.STREAMING_UNSIGNED_TRAILER.literal())) {
            return new AuthContext(null, PayloadMode.STREAMING_UNSIGNED_TRAILER, null, null, decodedContentLength(request), false, true);
        }
        throw new S3Exception(S3Error.INVALID_REQUEST, "An unsigned request cannot carry a signed payload (" + sha + ").");
    }

    private AuthContext verifyHeader(SignedRequest request, String authorization) {
        if (authorization.startsWith("AWS ")) {
            throw unsupportedV2();
        }
        if (authorization.startsWith(SIGV4A)) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "SigV4a (AWS4-ECDSA-P256-SHA256) signing is not supported; use AWS4-HMAC-SHA256.");
        }
        if (!authorization.startsWith(ALGORITHM + " ")) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Unsupported Authorization Type");
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : authorization.substring(ALGORITHM.length()).split(",")) {
            String item = part.trim();
            int eq = item.indexOf('=');
            String name = eq < 0 ? item : item.substring(0, eq).trim();
            String value = eq < 0 ? "" : item.substring(eq + 1).trim();
            switch (name) {
                case "Credential" -> credential = value;
                case "SignedHeaders" -> signedHeaders = value;
                case "Signature" -> signature = value;
                default -> throw malformedHeader("unexpected component \"" + name + "\"");
            }
        }
        if (credential == null || signedHeaders == null || signature == null) {
            throw malformedHeader("it must contain Credential, SignedHeaders and Signature");
        }
        CredentialScope scope = CredentialScope.parse(credential, S3Error.AUTHORIZATION_HEADER_MALFORMED, service);
        String amzDate = headerDate(request);
        if (!amzDate.startsWith(scope.date())) {
            throw malformedHeader("invalid credential date " + scope.date() + "; it is not the same as X-Amz-Date " + amzDate);
        }
        Instant requestTime = Instant.from(AMZ_DATE.parse(amzDate));
        Instant now = clock.instant();
        if (Duration.between(requestTime, now).abs().compareTo(MAX_SKEW) > 0) {
            throw new S3Exception(S3Error.REQUEST_TIME_TOO_SKEWED)
                    .with("RequestTime", amzDate)
                    .with("ServerTime", now.toString())
                    .with("MaxAllowedSkewMilliseconds", String.valueOf(MAX_SKEW.toMillis()));
        }
        String payloadHash = request.header("x-amz-content-sha256");
        // Like MinIO, a missing header means the empty body (generic SigV4 signers omit it on GET).
        return authenticate(request, scope, amzDate, signedHeaders, signature,
                payloadHash == null ? SigV4Crypto.EMPTY_SHA256 : payloadHash.trim(), false, S3Error.AUTHORIZATION_HEADER_MALFORMED);
    }

    private AuthContext verifyPresigned(SignedRequest request, List<Map.Entry<String, String>> params, String algorithm) {
        S3Error queryError = S3Error.AUTHORIZATION_QUERY_PARAMETERS_ERROR;
        if (algorithm.equals(SIGV4A)) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "SigV4a (AWS4-ECDSA-P256-SHA256) presigned URLs are not supported.");
        }
        if (!algorithm.equals(ALGORITHM)) {
            throw new S3Exception(queryError, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        String credential = param(params, "X-Amz-Credential");
        String amzDate = param(params, "X-Amz-Date");
        String expires = param(params, "X-Amz-Expires");
        String signedHeaders = param(params, "X-Amz-SignedHeaders");
        String signature = param(params, "X-Amz-Signature");
        if (credential == null || amzDate == null || expires == null || signedHeaders == null || signature == null) {
            throw new S3Exception(queryError, "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                    + "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
        }
        CredentialScope scope = CredentialScope.parse(credential, queryError, service);
        Instant requestTime;
        try {
            requestTime = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            throw new S3Exception(queryError, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        }
        if (!amzDate.startsWith(scope.date())) {
            throw new S3Exception(queryError, "Invalid credential date " + scope.date() + "; it is not the same as X-Amz-Date " + amzDate);
        }
        long expirySeconds;
        try {
            expirySeconds = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            throw new S3Exception(queryError, "X-Amz-Expires should be a number");
        }
        if (expirySeconds < 1 || expirySeconds > MAX_EXPIRES_SECONDS) {
            throw new S3Exception(queryError, "X-Amz-Expires must be between 1 and 604800 seconds (one week)");
        }
        Instant now = clock.instant();
        if (requestTime.minus(MAX_SKEW).isAfter(now)) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Request is not valid yet");
        }
        Instant expiry = requestTime.plusSeconds(expirySeconds);
        if (now.isAfter(expiry)) {
            throw new S3Exception(S3Error.ACCESS_DENIED, "Request has expired")
                    .with("X-Amz-Expires", expires)
                    .with("Expires", expiry.toString())
                    .with("ServerTime", now.toString());
        }
        String payloadHash = param(params, "X-Amz-Content-Sha256");
        if (payloadHash == null) {
            payloadHash = request.header("x-amz-content-sha256");
        }
        return authenticate(request, scope, amzDate, signedHeaders, signature,
                payloadHash == null ? PayloadMode.UNSIGNED.literal() : payloadHash.trim(), true, queryError);
    }

    /**
     * Headers that change what a request does must be covered by its signature, or whoever holds a
     * presigned URL (or sits in the middle) could add them: a presigned PUT turned into a copy of
     * any object by an added {@code x-amz-copy-source}, or a captured request given another checksum
     * or metadata. Every {@code x-amz-*} header must be signed, as AWS requires, but the payload hash
     * (whose value the signature covers anyway: it is the canonical request's last line).
     */
    private static void requireSigned(SignedRequest request, List<String> signed) {
        for (String name : request.headerNames()) {
            boolean mustSign = name.startsWith("x-amz-") && !name.equals("x-amz-content-sha256");
            if (mustSign && !signed.contains(name)) {
                throw new S3Exception(S3Error.ACCESS_DENIED, "There were headers present in the request which were not "
                        + "signed: " + name);
            }
        }
    }

    /** Checks the signature; all parsing and time checks have passed. */
    private AuthContext authenticate(SignedRequest request, CredentialScope scope, String amzDate, String signedHeaders,
                                     String signature, String payloadHash, boolean presigned, S3Error malformed) {
        List<String> headerNames = List.of(signedHeaders.toLowerCase(Locale.ROOT).split(";"));
        if (!headerNames.contains("host")) {
            throw new S3Exception(malformed, "SignedHeaders must include \"host\": " + signedHeaders);
        }
        requireSigned(request, headerNames);
        PayloadMode mode = payloadMode(payloadHash);
        String secret = secrets.apply(scope.accessKeyId()).orElseThrow(() ->
                new S3Exception(S3Error.INVALID_ACCESS_KEY_ID).with("AWSAccessKeyId", scope.accessKeyId()));
        byte[] signingKey = SigV4Crypto.signingKey(secret, scope.date(), scope.region(), scope.service());
        String suffix = "\n" + SigV4Canonical.canonicalHeaders(request, headerNames) + "\n"
                + String.join(";", headerNames) + "\n" + payloadHash;
        String canonicalPath = SigV4Canonical.canonicalPath(request.rawPath());
        String canonicalQuery = SigV4Canonical.canonicalQuery(request.rawQuery(), presigned, false);
        String canonicalRequest = request.method() + "\n" + canonicalPath + "\n" + canonicalQuery + suffix;
        String stringToSign = stringToSign(amzDate, scope, canonicalRequest);
        boolean matches = signatureMatches(signingKey, stringToSign, signature);
        // The strict canonical form reads a '+' in the query as a plus; the request is then read so too.
        boolean plusIsSpace = false;
        if (!matches) {
            // Clients that sign their wire path verbatim, or form-encode the query ('+' for space),
            // sign a form that differs from the strict canonical one; try those before failing.
            // SDK v2 signs a key's "//" as is but sends it as "/%2F" so HTTP layers keep it.
            List<String> paths = new ArrayList<>(List.of(canonicalPath));
            for (String p : new String[] {request.rawPath(), SigV4Canonical.canonicalPathWithEscapedSlashes(request.rawPath())}) {
                if (p != null && !paths.contains(p)) {
                    paths.add(p);
                }
            }
            List<String> queries = request.rawQuery() == null || request.rawQuery().indexOf('+') < 0
                    ? List.of(canonicalQuery)
                    : List.of(canonicalQuery, SigV4Canonical.canonicalQuery(request.rawQuery(), presigned, true));
            for (int i = 1; i < paths.size() * queries.size() && !matches; i++) { // 0 was tried above
                String candidate = request.method() + "\n" + paths.get(i / queries.size()) + "\n"
                        + queries.get(i % queries.size()) + suffix;
                matches = signatureMatches(signingKey, stringToSign(amzDate, scope, candidate), signature);
                if (matches) {
                    plusIsSpace = i % queries.size() == 1;
                }
            }
        }
        if (!matches) {
            throw new S3Exception(S3Error.SIGNATURE_DOES_NOT_MATCH)
                    .with("AWSAccessKeyId", scope.accessKeyId())
                    .with("StringToSign", stringToSign)
                    .with("SignatureProvided", signature)
                    .with("CanonicalRequest", canonicalRequest);
        }
        String expectedSha256 = mode == PayloadMode.SHA256 ? payloadHash.toLowerCase(Locale.ROOT) : null;
        long decodedLength = mode.isStreaming() ? decodedContentLength(request) : -1;
        ChunkSigningContext chunkSigning = new ChunkSigningContext(signingKey, amzDate, scope.scope(), signature.toLowerCase(Locale.ROOT));
        return new AuthContext(scope.accessKeyId(), mode, expectedSha256, chunkSigning, decodedLength, presigned, plusIsSpace);
    }

    private static boolean signatureMatches(byte[] signingKey, String stringToSign, String signature) {
        return SigV4Crypto.signaturesEqual(SigV4Crypto.hex(SigV4Crypto.hmac(signingKey, stringToSign)), signature);
    }

    private static String stringToSign(String amzDate, CredentialScope scope, String canonicalRequest) {
        return ALGORITHM + "\n" + amzDate + "\n" + scope.scope() + "\n" + SigV4Crypto.sha256Hex(canonicalRequest);
    }

    static PayloadMode payloadMode(String payloadHash) {
        if (payloadHash.startsWith("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "SigV4a streaming payloads (" + payloadHash + ") are not supported.");
        }
        Optional<PayloadMode> literal = PayloadMode.fromLiteral(payloadHash);
        if (literal.isPresent()) {
            return literal.get();
        }
        if (SigV4Crypto.isSha256Hex(payloadHash)) {
            return PayloadMode.SHA256;
        }
        throw new S3Exception(S3Error.INVALID_ARGUMENT, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                + "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
                .with("ArgumentName", "x-amz-content-sha256").with("ArgumentValue", payloadHash);
    }

    /** The request time as {@code yyyyMMdd'T'HHmmss'Z'}, from {@code x-amz-date} or else {@code Date}. */
    private static String headerDate(SignedRequest request) {
        String amzDate = request.header("x-amz-date");
        try {
            if (amzDate != null) {
                AMZ_DATE.parse(amzDate.trim());
                return amzDate.trim();
            }
            String date = request.header("date");
            if (date != null) {
                return AMZ_DATE.format(ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
            }
        } catch (DateTimeParseException e) {
            // Fall through to the error below.
        }
        throw new S3Exception(S3Error.ACCESS_DENIED, "AWS authentication requires a valid Date or x-amz-date header");
    }

    private static long decodedContentLength(SignedRequest request) {
        String value = request.header("x-amz-decoded-content-length");
        if (value == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(value.trim());
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // Fall through to the error below.
        }
        throw new S3Exception(S3Error.INVALID_ARGUMENT, "x-amz-decoded-content-length must be a non-negative integer")
                .with("ArgumentName", "x-amz-decoded-content-length").with("ArgumentValue", value);
    }

    private static String param(List<Map.Entry<String, String>> params, String name) {
        for (Map.Entry<String, String> p : params) {
            if (p.getKey().equals(name)) {
                return p.getValue();
            }
        }
        return null;
    }

    private static S3Exception malformedHeader(String detail) {
        return new S3Exception(S3Error.AUTHORIZATION_HEADER_MALFORMED, "The authorization header is malformed; " + detail + ".");
    }

    private static S3Exception unsupportedV2() {
        return new S3Exception(S3Error.INVALID_REQUEST,
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    }
}
