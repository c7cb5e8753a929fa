package org.blockcloset.gateway.auth;

import static org.blockcloset.gateway.auth.SdkSigning.ACCESS_KEY;
import static org.blockcloset.gateway.auth.SdkSigning.CLOCK;
import static org.blockcloset.gateway.auth.SdkSigning.SECRET;
import static org.blockcloset.gateway.auth.SdkSigning.received;
import static org.blockcloset.gateway.auth.SdkSigning.request;
import static org.blockcloset.gateway.auth.SdkSigning.sign;
import static org.blockcloset.gateway.auth.SdkSigning.verifier;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

class SigV4VerifierTest {
    private final SigV4Verifier verifier = verifier(CLOCK);

    static void assertS3Error(S3Error expected, Executable call) {
        S3Exception e = assertThrows(S3Exception.class, call);
        assertEquals(expected, e.error(), e.getMessage());
    }

    /** Keys encoded the way the SDK's S3 client puts them on the wire. */
    @ParameterizedTest
    @ValueSource(strings = {"plain.txt", "with space.txt", "ünïcødé/日本語.txt", "a+b=c&d", "dir//double//slash",
            "../dot/./dotdot/..", "literal%2Fpercent", "tilde~star*(paren)!", "trailing/"})
    void acceptsSdkSignedGetForAwkwardKeys(String key) {
        SdkHttpFullRequest req = request(SdkHttpMethod.GET, "http", "/bucket/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key)).build();
        AuthContext ctx = verifier.verify(received(sign(req, null).request()));
        assertEquals(ACCESS_KEY, ctx.accessKeyId());
        assertEquals(PayloadMode.SHA256, ctx.payloadMode());
        assertEquals(SigV4Crypto.EMPTY_SHA256, ctx.expectedSha256());
    }

    @Test
    void encodedSlashIsDistinctFromSlash() {
        SdkHttpFullRequest req = request(SdkHttpMethod.GET, "http", "/bucket/a%2Fb").build();
        var signed = sign(req, null);
        verifier.verify(received(signed.request()));
        SignedRequest asSlash = new SimpleSignedRequest("GET", "/bucket/a/b", null, signed.request().headers());
        assertS3Error(S3Error.SIGNATURE_DOES_NOT_MATCH, () -> verifier.verify(asSlash));
    }

    @Test
    void toleratesClientsThatEscapeDifferentlyOnTheWire() {
        // Signed in canonical form, sent with '~' escaped and '!' raw.
        var canonical = sign(request(SdkHttpMethod.GET, "http", "/bucket/a~b%21").build(), null);
        verifier.verify(new SimpleSignedRequest("GET", "/bucket/a%7Eb!", null, canonical.request().headers()));
        // Signed verbatim with a raw '!' (not SigV4-canonical), sent the same way.
        var verbatim = sign(request(SdkHttpMethod.GET, "http", "/bucket/a!b").build(), null);
        verifier.verify(received(verbatim.request()));
    }

    @Test
    void acceptsValuelessAndEncodedQueryParameters() {
        var uploads = sign(request(SdkHttpMethod.POST, "http", "/bucket/key").putRawQueryParameter("uploads", (String) null).build(), new byte[0]);
        Map<String, List<String>> headers = uploads.request().headers();
        verifier.verify(new SimpleSignedRequest("POST", "/bucket/key", "uploads", headers));
        verifier.verify(new SimpleSignedRequest("POST", "/bucket/key", "uploads=", headers));

        var list = sign(request(SdkHttpMethod.GET, "http", "/bucket")
                .putRawQueryParameter("list-type", "2").putRawQueryParameter("prefix", "a+b c/ü")
                .putRawQueryParameter("delimiter", "/").build(), null);
        verifier.verify(received(list.request()));
    }

    @Test
    void plusInQueryMayMeanSpaceOrPlus() {
        var space = sign(request(SdkHttpMethod.GET, "http", "/bucket").putRawQueryParameter("prefix", "a b").build(), null);
        verifier.verify(new SimpleSignedRequest("GET", "/bucket", "prefix=a+b", space.request().headers()));
        var plus = sign(request(SdkHttpMethod.GET, "http", "/bucket").putRawQueryParameter("prefix", "a+b").build(), null);
        verifier.verify(new SimpleSignedRequest("GET", "/bucket", "prefix=a+b", plus.request().headers()));
        assertS3Error(S3Error.SIGNATURE_DOES_NOT_MATCH, () ->
                verifier.verify(new SimpleSignedRequest("GET", "/bucket", "prefix=a-b", plus.request().headers())));
    }

    @Test
    void signedPutCarriesBodyHashThatIsEnforced() throws Exception {
        byte[] body = "hello block closet".getBytes(StandardCharsets.UTF_8);
        var signed = sign(request(SdkHttpMethod.PUT, "http", "/bucket/key").build(), body);
        AuthContext ctx = verifier.verify(received(signed.request()));
        String hash = SigV4Crypto.hex(MessageDigest.getInstance("SHA-256").digest(body));
        assertEquals(PayloadMode.SHA256, ctx.payloadMode());
        assertEquals(hash, ctx.expectedSha256());
        assertArrayEquals(body, ctx.wrapBody(SdkSigning.stream(body)).readAllBytes());
        byte[] other = "hello block closeT".getBytes(StandardCharsets.UTF_8);
        assertS3Error(S3Error.X_AMZ_CONTENT_SHA256_MISMATCH, () -> ctx.wrapBody(SdkSigning.stream(other)).readAllBytes());
    }

    @Test
    void unsignedPayloadOverHttps() {
        var signed = sign(request(SdkHttpMethod.PUT, "https", "/bucket/key").build(), new byte[10], ACCESS_KEY, SECRET,
                b -> b.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        AuthContext ctx = verifier.verify(received(signed.request()));
        assertEquals(PayloadMode.UNSIGNED, ctx.payloadMode());
        assertNull(ctx.expectedSha256());
    }

    @Test
    void anyRegionIsAccepted() {
        var signed = sign(request(SdkHttpMethod.GET, "http", "/bucket").build(), null, ACCESS_KEY, SECRET,
                b -> b.putProperty(AwsV4HttpSigner.REGION_NAME, "homelab-1"));
        assertTrue(verifier.verify(received(signed.request())).chunkSigning().scope().contains("/homelab-1/s3/"));
    }

    @Test
    void headerWhitespaceIsCanonicalized() {
        var signed = sign(request(SdkHttpMethod.GET, "http", "/bucket/key").putHeader("x-amz-meta-note", "  a   b  c ").build(), null);
        Map<String, List<String>> headers = new HashMap<>(signed.request().headers());
        headers.put("x-amz-meta-note", List.of("a b c"));
        verifier.verify(new SimpleSignedRequest("GET", "/bucket/key", null, headers));
    }

    @Test
    void tamperedHeaderIsRejected() {
        var signed = sign(request(SdkHttpMethod.GET, "http", "/bucket/key").putHeader("x-amz-meta-note", "original").build(), null);
        Map<String, List<String>> headers = new HashMap<>(signed.request().headers());
        headers.put("x-amz-meta-note", List.of("changed"));
        assertS3Error(S3Error.SIGNATURE_DOES_NOT_MATCH, () -> verifier.verify(new SimpleSignedRequest("GET", "/bucket/key", null, headers)));
        assertS3Error(S3Error.SIGNATURE_DOES_NOT_MATCH, () ->
                verifier.verify(new SimpleSignedRequest("DELETE", "/bucket/key", null, signed.request().headers())));
    }

    @Test
    void wrongSecretAndUnknownKeyAreRejected() {
        SdkHttpFullRequest req = request(SdkHttpMethod.GET, "http", "/bucket").build();
        var wrongSecret = sign(req, null, ACCESS_KEY, SECRET + "x", b -> { });
        assertS3Error(S3Error.SIGNATURE_DOES_NOT_MATCH, () -> verifier.verify(received(wrongSecret.request())));
        var unknown = sign(req, null, "AKIDUNKNOWN", SECRET, b -> { });
        assertS3Error(S3Error.INVALID_ACCESS_KEY_ID, () -> verifier.verify(received(unknown.request())));
    }

    @Test
    void clockSkewBeyondFifteenMinutesIsRejected() {
        var signed = sign(request(SdkHttpMethod.GET, "http", "/bucket").build(), null);
        SignedRequest req = received(signed.request());
        verifier(Clock.offset(CLOCK, Duration.ofMinutes(14))).verify(req);
        verifier(Clock.offset(CLOCK, Duration.ofMinutes(-14))).verify(req);
        assertS3Error(S3Error.REQUEST_TIME_TOO_SKEWED, () -> verifier(Clock.offset(CLOCK, Duration.ofMinutes(16))).verify(req));
        assertS3Error(S3Error.REQUEST_TIME_TOO_SKEWED, () -> verifier(Clock.offset(CLOCK, Duration.ofMinutes(-16))).verify(req));
    }

    @Test
    void anonymousRequestYieldsAnonymousContext() {
        AuthContext ctx = verifier.verify(new SimpleSignedRequest("GET", "/bucket/key", "x=1", Map.of("host", List.of("h"))));
        assertTrue(ctx.isAnonymous());
        assertNull(ctx.accessKeyId());
    }

    @Test
    void unsupportedAndMalformedAuthorization() {
        assertS3Error(S3Error.INVALID_REQUEST, () -> verifier.verify(withAuth("AWS AKID:c2lnbmF0dXJl")));
        assertS3Error(S3Error.NOT_IMPLEMENTED, () -> verifier.verify(withAuth(
                "AWS4-ECDSA-P256-SHA256 Credential=AKID/20250601/s3/aws4_request, SignedHeaders=host, Signature=00")));
        assertS3Error(S3Error.AUTHORIZATION_HEADER_MALFORMED, () -> verifier.verify(withAuth("AWS4-HMAC-SHA256 Credential=AKID")));
        assertS3Error(S3Error.AUTHORIZATION_HEADER_MALFORMED, () -> verifier.verify(withAuth(
                "AWS4-HMAC-SHA256 Credential=AKID/20250601/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00")));
        assertS3Error(S3Error.INVALID_REQUEST, () -> verifier.verify(
                new SimpleSignedRequest("GET", "/b", "AWSAccessKeyId=AKID&Signature=x&Expires=1", Map.of())));
    }

    @Test
    void unknownContentSha256ValuesAreRejected() {
        assertS3Error(S3Error.INVALID_ARGUMENT, () -> verifier.verify(withAuthAndPayload("not-a-hash")));
        assertS3Error(S3Error.NOT_IMPLEMENTED, () -> verifier.verify(withAuthAndPayload("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")));
    }

    private static SignedRequest withAuth(String authorization) {
        return new SimpleSignedRequest("GET", "/b", null, Map.of("authorization", List.of(authorization),
                "host", List.of("h"), "x-amz-date", List.of("20250601T120000Z")));
    }

    private static SignedRequest withAuthAndPayload(String contentSha256) {
        return new SimpleSignedRequest("PUT", "/b/k", null, Map.of(
                "authorization", List.of("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY
                        + "/20250601/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=00"),
                "host", List.of("h"), "x-amz-date", List.of("20250601T120000Z"), "x-amz-content-sha256", List.of(contentSha256)));
    }
}
