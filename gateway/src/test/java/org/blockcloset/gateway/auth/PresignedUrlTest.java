package org.blockcloset.gateway.auth;

import static org.blockcloset.gateway.auth.SdkSigning.ACCESS_KEY;
import static org.blockcloset.gateway.auth.SdkSigning.SECRET;
import static org.blockcloset.gateway.auth.SdkSigning.verifier;
import static org.blockcloset.gateway.auth.SigV4VerifierTest.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.blockcloset.gateway.error.S3Error;
import org.blockcloset.gateway.error.S3Exception;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** URLs from the SDK's S3Presigner, which signs with the system clock. */
class PresignedUrlTest {
    private static S3Presigner presigner;
    private final SigV4Verifier verifier = verifier(Clock.systemUTC());

    @BeforeAll
    static void createPresigner() {
        presigner = S3Presigner.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
                .endpointOverride(URI.create("http://127.0.0.1:9000"))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    @AfterAll
    static void closePresigner() {
        presigner.close();
    }

    private PresignedRequest presignGet(String key, Duration validity) {
        return presigner.presignGetObject(r -> r.signatureDuration(validity).getObjectRequest(g -> g.bucket("bucket").key(key)));
    }

    private static SignedRequest received(PresignedRequest presigned, String method) {
        return received(presigned.url(), method, presigned.signedHeaders());
    }

    private static SignedRequest received(URL url, String method, Map<String, List<String>> headers) {
        return new SimpleSignedRequest(method, url.getPath(), url.getQuery(), headers);
    }

    @Test
    void presignedGetVerifiesAsUnsignedPayload() {
        PresignedRequest presigned = presignGet("dir/a b+c ü//x.txt", Duration.ofMinutes(10));
        AuthContext ctx = verifier.verify(received(presigned, "GET"));
        assertEquals(ACCESS_KEY, ctx.accessKeyId());
        assertTrue(ctx.presigned());
        assertEquals(PayloadMode.UNSIGNED, ctx.payloadMode());
    }

    @Test
    void presignedPutVerifies() {
        PresignedRequest presigned = presigner.presignPutObject(r -> r.signatureDuration(Duration.ofHours(1))
                .putObjectRequest(p -> p.bucket("bucket").key("upload.bin").contentType("application/octet-stream")));
        assertEquals(ACCESS_KEY, verifier.verify(received(presigned, "PUT")).accessKeyId());
        assertS3Error(S3Error.SIGNATURE_DOES_NOT_MATCH, () -> verifier.verify(received(presigned, "GET")));
    }

    @Test
    void headersAddedToAPresignedUrlMustHaveBeenSigned() {
        PresignedRequest presigned = presigner.presignPutObject(r -> r.signatureDuration(Duration.ofHours(1))
                .putObjectRequest(p -> p.bucket("bucket").key("upload.bin")));
        Map<String, List<String>> headers = new java.util.HashMap<>(presigned.signedHeaders());
        headers.put("x-amz-copy-source", List.of("secrets/db.dump"));
        S3Exception e = assertThrows(S3Exception.class, () -> verifier.verify(received(presigned.url(), "PUT", headers)));
        assertEquals(S3Error.ACCESS_DENIED, e.error());
        assertTrue(e.getMessage().contains("x-amz-copy-source"), e.getMessage());
        // Unrelated headers stay allowed, and the payload hash header is never part of a presigned signature.
        Map<String, List<String>> benign = new java.util.HashMap<>(presigned.signedHeaders());
        benign.put("content-type", List.of("text/plain"));
        benign.put("x-amz-content-sha256", List.of("UNSIGNED-PAYLOAD"));
        assertEquals(ACCESS_KEY, verifier.verify(received(presigned.url(), "PUT", benign)).accessKeyId());
    }

    @Test
    void expiredUrlIsDeniedWithExpiryDetails() {
        PresignedRequest presigned = presignGet("key", Duration.ofMinutes(10));
        S3Exception e = assertThrows(S3Exception.class, () ->
                verifier(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(11))).verify(received(presigned, "GET")));
        assertEquals(S3Error.ACCESS_DENIED, e.error());
        assertEquals("Request has expired", e.getMessage());
        assertTrue(e.extraElements().containsKey("Expires"));
        assertTrue(e.extraElements().containsKey("ServerTime"));
        // Presigned requests have no skew check: still valid 9 minutes later.
        verifier(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(9))).verify(received(presigned, "GET"));
    }

    @Test
    void expiresOutsideOneSecondToSevenDaysIsAQueryError() throws Exception {
        PresignedRequest presigned = presignGet("key", Duration.ofMinutes(10));
        String url = presigned.url().toString();
        for (String expires : new String[] {"604801", "0", "ten"}) {
            URL tampered = new URL(url.replace("X-Amz-Expires=600", "X-Amz-Expires=" + expires));
            assertS3Error(S3Error.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () ->
                    verifier.verify(received(tampered, "GET", presigned.signedHeaders())));
        }
        URL longer = new URL(url.replace("X-Amz-Expires=600", "X-Amz-Expires=601"));
        assertS3Error(S3Error.SIGNATURE_DOES_NOT_MATCH, () -> verifier.verify(received(longer, "GET", presigned.signedHeaders())));
    }

    @Test
    void queryAndHeaderAuthTogetherIsRejected() {
        PresignedRequest presigned = presignGet("key", Duration.ofMinutes(10));
        SignedRequest req = received(presigned.url(), "GET", Map.of("host", List.of("127.0.0.1:9000"),
                "authorization", List.of("AWS4-HMAC-SHA256 Credential=x")));
        assertS3Error(S3Error.INVALID_ARGUMENT, () -> verifier.verify(req));
    }
}
