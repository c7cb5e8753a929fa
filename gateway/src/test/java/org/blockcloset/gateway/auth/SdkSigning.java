package org.blockcloset.gateway.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** Signs requests with the real AWS SDK v2 signer, configured as the S3 client configures it. */
final class SdkSigning {
    static final String ACCESS_KEY = "AKIDBLOCKCLOSET";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private SdkSigning() {
    }

    static SigV4Verifier verifier(Clock clock) {
        return new SigV4Verifier(key -> key.equals(ACCESS_KEY) ? Optional.of(SECRET) : Optional.empty(), clock);
    }

    static SdkHttpFullRequest.Builder request(SdkHttpMethod method, String scheme, String encodedPath) {
        return SdkHttpFullRequest.builder().method(method).uri(URI.create(scheme + "://127.0.0.1:9000")).encodedPath(encodedPath);
    }

    /** Signs with S3's signer properties; {@code extra} may override any of them. */
    static software.amazon.awssdk.http.auth.spi.signer.SignedRequest sign(
            SdkHttpFullRequest request, byte[] body, String accessKey, String secret,
            Consumer<SignRequest.Builder<AwsCredentialsIdentity>> extra) {
        return AwsV4HttpSigner.create().sign(b -> {
            b.identity(AwsCredentialsIdentity.create(accessKey, secret))
                    .request(request)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, CLOCK);
            if (body != null) {
                b.payload(ContentStreamProvider.fromByteArray(body));
            }
            extra.accept(b);
        });
    }

    static software.amazon.awssdk.http.auth.spi.signer.SignedRequest sign(SdkHttpFullRequest request, byte[] body) {
        return sign(request, body, ACCESS_KEY, SECRET, b -> { });
    }

    /** The request as the servlet would see it: wire path and query, all headers. */
    static SignedRequest received(SdkHttpRequest request) {
        String query = SdkHttpUtils.encodeAndFlattenQueryParameters(request.rawQueryParameters()).orElse(null);
        return new SimpleSignedRequest(request.method().name(), request.encodedPath(), query, request.headers());
    }

    static byte[] payload(software.amazon.awssdk.http.auth.spi.signer.SignedRequest signed) {
        try (InputStream in = signed.payload().orElseThrow().newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }
}
