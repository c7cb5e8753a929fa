package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Small helpers shared by the end-to-end S3 tests. */
final class S3Asserts {
    static final String EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

    private S3Asserts() {
    }

    /** Runs the call, expects an S3 error with this status and code, returns it. */
    static AwsServiceException assertS3Error(int status, String code, Executable call) {
        AwsServiceException e = assertThrows(AwsServiceException.class, call);
        assertEquals(status, e.statusCode(), () -> "status of " + e);
        if (code != null) {
            assertEquals(code, e.awsErrorDetails().errorCode(), () -> "code of " + e);
        }
        return e;
    }

    /** Like {@link Node#client()} (default settings, path-style), to customise before building. */
    static S3ClientBuilder clientBuilder(Node node, String accessKey, String secretKey) {
        return S3Client.builder()
                .endpointOverride(node.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .forcePathStyle(true);
    }

    static S3ClientBuilder clientBuilder(Node node) {
        return clientBuilder(node, Node.ACCESS_KEY, Node.SECRET_KEY);
    }

    /** A client of the test's key that does not retry: a failed request is a failure the test sees, not one the SDK hides. */
    static S3Client noRetries(Node node) {
        return clientBuilder(node).overrideConfiguration(o -> o.retryPolicy(
                software.amazon.awssdk.core.retry.RetryPolicy.none()).apiCallTimeout(java.time.Duration.ofSeconds(30))).build();
    }

    /**
     * Sends a request the SDK would refuse to build (it checks bucket names itself), signed with
     * the SDK's own SigV4 signer, over java.net.http.
     */
    static HttpResponse<String> signedSend(Node node, String method, String encodedPath, byte[] body) {
        return signedSend(node, method, encodedPath, Map.of(), body);
    }

    static HttpResponse<String> signedSend(Node node, String method, String encodedPath, Map<String, String> query,
                                           byte[] body) {
        SdkHttpFullRequest.Builder builder = SdkHttpFullRequest.builder().method(SdkHttpMethod.fromValue(method))
                .uri(node.endpoint()).encodedPath(encodedPath);
        query.forEach(builder::putRawQueryParameter);
        SdkHttpFullRequest request = builder.build();
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(Node.ACCESS_KEY, Node.SECRET_KEY))
                .request(request)
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")).request();
        HttpRequest.Builder http = HttpRequest.newBuilder(signed.getUri())
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        signed.forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> http.header(name, v));
            }
        });
        try {
            return HttpClient.newHttpClient().send(http.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code <Code>} of an S3 error document, or null. */
    static String errorCode(String body) {
        Matcher m = Pattern.compile("<Code>([^<]*)</Code>").matcher(body);
        return m.find() ? m.group(1) : null;
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String md5Hex(byte[] data) {
        return HexFormat.of().formatHex(digest("MD5", data));
    }

    /** The ETag as S3 sends it: the hex digest in double quotes. */
    static String quoted(String hex) {
        return "\"" + hex + "\"";
    }
}
