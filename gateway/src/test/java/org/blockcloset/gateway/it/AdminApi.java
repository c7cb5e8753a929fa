package org.blockcloset.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Calls a node's admin API as the test's admin key (or as given credentials), each request signed
 * by the AWS SDK's own SigV4 signer as an S3 request would be; the JSON answer gets a "status" field.
 */
final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Headers java.net.http sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private AdminApi() {
    }

    static JsonNode get(Node node, String path) throws Exception {
        return call(node, "GET", path, Node.ACCESS_KEY, Node.SECRET_KEY);
    }

    static JsonNode post(Node node, String path) throws Exception {
        return call(node, "POST", path, Node.ACCESS_KEY, Node.SECRET_KEY);
    }

    static JsonNode call(Node node, String method, String path, String id, String secret) throws Exception {
        HttpResponse<String> r = send(node, method, path, null, id, secret);
        JsonNode body = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        ((ObjectNode) body).put("status", r.statusCode());
        return body;
    }

    /** One request, signed with {@code id}/{@code secret} unless {@code id} is null (anonymous). */
    static HttpResponse<String> send(Node node, String method, String path, String body, String id, String secret)
            throws Exception {
        URI uri = URI.create(node.adminUrl() + path);
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (id == null) {
            b.header("Content-Type", "application/json");
        } else { // the signed headers carry the Content-Type
            for (Map.Entry<String, List<String>> h : signedHeaders(method, uri, bytes, id, secret).entrySet()) {
                if (!RESTRICTED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    h.getValue().forEach(v -> b.header(h.getKey(), v));
                }
            }
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, List<String>> signedHeaders(String method, URI uri, byte[] body, String id, String secret) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri)
                .putHeader("Content-Type", "application/json").build();
        return AwsV4HttpSigner.create().sign(r -> r.identity(AwsCredentialsIdentity.create(id, secret)).request(request)
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "blockcloset-admin")).request().headers();
    }
}
