package org.blockcloset.gateway.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.ClientConfiguration;
import com.amazonaws.HttpMethod;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.amazonaws.services.s3.model.AmazonS3Exception;
import com.amazonaws.services.s3.model.ObjectMetadata;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AWS Signature Version 2 (issue 19), as older tools and appliances sign, with the real client that
 * still does: the AWS SDK for Java v1 with its S3SignerType. Header-signed requests (buckets,
 * objects with metadata, listings, sub-resources, multipart), query-string URLs, and what is refused
 * (a wrong secret, an expired URL, a URL moved to another key, a POST form signed wrong).
 */
class SigV2Test {
    @TempDir
    static Path dir;
    static S3Harness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = new S3Harness(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
    }

    private static AmazonS3 v2(String secret) {
        return v2(harness, secret);
    }

    private static AmazonS3 v2(S3Harness on, String secret) {
        return AmazonS3ClientBuilder.standard()
                .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(on.endpoint().toString(), "us-east-1"))
                .withPathStyleAccessEnabled(true)
                .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(S3Harness.ACCESS_KEY, secret)))
                .withClientConfiguration(new ClientConfiguration().withSignerOverride("S3SignerType").withMaxErrorRetry(0))
                .build();
    }

    @Test
    void headerSignedRequestsWork() throws Exception {
        AmazonS3 s3 = v2(S3Harness.SECRET_KEY);
        s3.createBucket("sigv2");
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentType("text/plain; charset=utf-8");
        meta.addUserMetadata("from", "an old appliance");
        byte[] body = "signed with version 2\n".repeat(100).getBytes(StandardCharsets.UTF_8);
        meta.setContentLength(body.length);
        s3.putObject("sigv2", "dir/with space+plus.txt", new ByteArrayInputStream(body), meta);
        var got = s3.getObject("sigv2", "dir/with space+plus.txt");
        assertEquals("an old appliance", got.getObjectMetadata().getUserMetaDataOf("from"));
        assertEquals(new String(body, StandardCharsets.UTF_8), new String(got.getObjectContent().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(List.of("dir/with space+plus.txt"), s3.listObjects("sigv2").getObjectSummaries().stream().map(o -> o.getKey()).toList());
        // Sub-resources are part of what is signed.
        s3.setObjectTagging(new com.amazonaws.services.s3.model.SetObjectTaggingRequest("sigv2", "dir/with space+plus.txt",
                new com.amazonaws.services.s3.model.ObjectTagging(List.of(new com.amazonaws.services.s3.model.Tag("k", "v")))));
        assertEquals("v", s3.getObjectTagging(new com.amazonaws.services.s3.model.GetObjectTaggingRequest("sigv2",
                "dir/with space+plus.txt")).getTagSet().get(0).getValue());
        assertEquals("us-east-1".equals(s3.getBucketLocation("sigv2")) || "US".equals(s3.getBucketLocation("sigv2")), true);
        // Multipart: uploads, uploadId and partNumber in the resource.
        String upload = s3.initiateMultipartUpload(new com.amazonaws.services.s3.model.InitiateMultipartUploadRequest("sigv2", "mpu"))
                .getUploadId();
        var part = s3.uploadPart(new com.amazonaws.services.s3.model.UploadPartRequest().withBucketName("sigv2").withKey("mpu")
                .withUploadId(upload).withPartNumber(1).withInputStream(new ByteArrayInputStream(body)).withPartSize(body.length));
        s3.completeMultipartUpload(new com.amazonaws.services.s3.model.CompleteMultipartUploadRequest("sigv2", "mpu", upload,
                List.of(part.getPartETag())));
        assertEquals(body.length, s3.getObjectMetadata("sigv2", "mpu").getContentLength());
        s3.deleteObject("sigv2", "mpu");
    }

    @Test
    void aWrongSecretIsSignatureDoesNotMatchAndWritesNothing() {
        AmazonS3 wrong = v2("not-the-secret");
        long before = harness.ledger.progress().appliedOffset(0);
        AmazonS3Exception e = assertThrows(AmazonS3Exception.class, () -> wrong.createBucket("sigv2-never"));
        assertEquals("SignatureDoesNotMatch", e.getErrorCode());
        assertEquals(403, e.getStatusCode());
        assertEquals(before, harness.ledger.progress().appliedOffset(0));
    }

    @Test
    void queryStringUrlsReadAndExpire() throws Exception {
        AmazonS3 s3 = v2(S3Harness.SECRET_KEY);
        s3.createBucket("sigv2-links");
        s3.putObject("sigv2-links", "shared.txt", "shared by a v2 link");
        HttpClient http = HttpClient.newHttpClient();
        URI url = s3.generatePresignedUrl("sigv2-links", "shared.txt", new Date(System.currentTimeMillis() + 300_000), HttpMethod.GET)
                .toURI();
        assertTrue(url.getQuery().contains("AWSAccessKeyId="), url.toString());
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("shared by a v2 link", ok.body());
        HttpResponse<String> moved = http.send(HttpRequest.newBuilder(URI.create(url.toString().replace("shared.txt", "other.txt")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, moved.statusCode());
        assertTrue(moved.body().contains("SignatureDoesNotMatch"), moved.body());
        URI expired = s3.generatePresignedUrl("sigv2-links", "shared.txt", new Date(System.currentTimeMillis() - 60_000),
                HttpMethod.GET).toURI();
        HttpResponse<String> late = http.send(HttpRequest.newBuilder(expired).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, late.statusCode());
        assertTrue(late.body().contains("expired"), late.body());
        // A sub-resource given twice: one value would be signed and the other served. Refused.
        var versioned = new com.amazonaws.services.s3.model.GeneratePresignedUrlRequest("sigv2-links", "shared.txt")
                .withExpiration(new Date(System.currentTimeMillis() + 300_000));
        versioned.addRequestParameter("versionId", "null");
        URI twice = URI.create(s3.generatePresignedUrl(versioned).toString() + "&versionId=0000000000000001");
        HttpResponse<String> doubled = http.send(HttpRequest.newBuilder(twice).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, doubled.statusCode(), doubled.body());
        assertTrue(doubled.body().contains("more than once"), doubled.body());
        URI forever = s3.generatePresignedUrl("sigv2-links", "shared.txt",
                new Date(System.currentTimeMillis() + 30L * 24 * 3600 * 1000), HttpMethod.GET).toURI();
        assertEquals(403, http.send(HttpRequest.newBuilder(forever).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                "a link valid for more than a week");
    }

    /** BLOCKCLOSET_SIGV2=false: the same client is told version 2 is not taken (and so it did sign with version 2). */
    @Test
    void offRefusesVersionTwo(@TempDir Path other) throws Exception {
        try (S3Harness off = new S3Harness(other, false)) {
            // The SDK wraps the answer in its advice to sign with version 4; the answer is the cause.
            Throwable t = assertThrows(com.amazonaws.SdkClientException.class, () -> v2(off, S3Harness.SECRET_KEY).listBuckets());
            while (t != null && !(t instanceof AmazonS3Exception)) {
                t = t.getCause();
            }
            AmazonS3Exception e = (AmazonS3Exception) t;
            assertTrue(e != null, "the node's own answer");
            assertEquals(400, e.getStatusCode());
            assertEquals("InvalidRequest", e.getErrorCode());
            assertTrue(e.getMessage().contains("AWS4-HMAC-SHA256"), e.getMessage());
        }
    }

    /** A browser form whose policy is signed with version 2 (AWSAccessKeyId, policy, signature). */
    @Test
    void aFormSignedWithVersionTwoUploads() throws Exception {
        v2(S3Harness.SECRET_KEY).createBucket("sigv2-form");
        String policy = "{\"expiration\":\"" + java.time.Instant.now().plusSeconds(600) + "\",\"conditions\":["
                + "{\"bucket\":\"sigv2-form\"},[\"starts-with\",\"$key\",\"in/\"]]}";
        String policy64 = java.util.Base64.getEncoder().encodeToString(policy.getBytes(StandardCharsets.UTF_8));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(S3Harness.SECRET_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String good = java.util.Base64.getEncoder().encodeToString(mac.doFinal(policy64.getBytes(StandardCharsets.UTF_8)));
        assertEquals(204, form(policy64, good, "in/a.txt").statusCode());
        assertEquals("from a v2 form", v2(S3Harness.SECRET_KEY).getObjectAsString("sigv2-form", "in/a.txt"));
        HttpResponse<String> bad = form(policy64, good.substring(1) + "A", "in/b.txt");
        assertEquals(403, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("SignatureDoesNotMatch"), bad.body());
    }

    private static HttpResponse<String> form(String policy64, String signature, String key) throws Exception {
        String boundary = "----V2FormBoundary";
        StringBuilder b = new StringBuilder();
        for (String[] f : new String[][] {{"key", key}, {"AWSAccessKeyId", S3Harness.ACCESS_KEY}, {"policy", policy64},
                {"signature", signature}}) {
            b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(f[0]).append("\"\r\n\r\n")
                    .append(f[1]).append("\r\n");
        }
        b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n")
                .append("Content-Type: text/plain\r\n\r\nfrom a v2 form\r\n--").append(boundary).append("--\r\n");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(harness.endpoint() + "/sigv2-form"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(b.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }
}
