package org.blockcloset.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A store reached over S3 with the AWS SDK for Java v2: the sync client on the Apache HTTP client,
 * path-style, no retries (a failed request is counted, not hidden).
 *
 * <p>Checksums are calculated and validated only when an operation requires them: S3Proxy 2.9 (and
 * 3.1) reject the SDK's default upload, a trailing CRC32 checksum, with "x-amz-content-sha256 does
 * not match". Both stores get the same client, so over plain HTTP the SDK signs each whole body
 * (SHA-256 in the client) for either.
 */
final class S3Target implements Target {
    static final String BUCKET = "bench";
    private static final int READ_CHUNK = 64 << 10;

    private final S3Client s3;
    private final Payload payload;
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[READ_CHUNK]);

    S3Target(URI endpoint, String accessKey, String secretKey, int maxConnections, Payload payload) {
        this.payload = payload;
        this.s3 = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(maxConnections)
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofMinutes(5)))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    S3Client client() {
        return s3;
    }

    void createBucket() {
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @Override
    public void put(String key, long id, int size) {
        s3.putObject(b -> b.bucket(BUCKET).key(key).contentLength((long) size),
                RequestBody.fromContentProvider(() -> payload.stream(id, size), size, "application/octet-stream"));
    }

    @Override
    public void get(String key, int size) throws IOException {
        byte[] buf = buffers.get();
        long total = 0;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(BUCKET).key(key))) {
            total = drain(in, buf);
        }
        if (total != size) {
            throw new IOException(key + ": read " + total + " bytes, expected " + size);
        }
    }

    private static long drain(InputStream in, byte[] buf) throws IOException {
        long total = 0;
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            total += n;
        }
        return total;
    }

    @Override
    public void close() {
        s3.close();
    }
}
