package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.http.impl.conn.SystemDefaultDnsResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/** Presigned URLs, virtual-hosted-style addressing, and access keys managed through the admin API. */
class AuthIT {
    private static final String BUCKET = "auth";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        NODE.s3().createBucket(b -> b.bucket(BUCKET));
    }

    private static S3Presigner presigner() {
        return S3Presigner.builder().endpointOverride(NODE.node().endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(Node.ACCESS_KEY, Node.SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
    }

    private static HttpResponse<byte[]> send(HttpRequest r) throws IOException, InterruptedException {
        return HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void presignedGet() throws Exception {
        byte[] data = S3Asserts.randomBytes(200_000, 3);
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("presigned/get me.bin"), RequestBody.fromBytes(data));
        try (S3Presigner presigner = presigner()) {
            PresignedGetObjectRequest pg = presigner.presignGetObject(r -> r.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(BUCKET).key("presigned/get me.bin").responseContentType("x/custom")));
            assertTrue(pg.url().getPath().startsWith("/" + BUCKET + "/"), "path-style: " + pg.url());
            HttpResponse<byte[]> ok = send(HttpRequest.newBuilder(pg.url().toURI()).GET().build());
            assertEquals(200, ok.statusCode());
            assertArrayEquals(data, ok.body());
            assertEquals("x/custom", ok.headers().firstValue("Content-Type").orElse(null));

            String url = pg.url().toString();
            String tampered = url.replaceFirst("X-Amz-Signature=[0-9a-f]", "X-Amz-Signature=" + (url.contains("X-Amz-Signature=0") ? "1" : "0"));
            HttpResponse<byte[]> bad = send(HttpRequest.newBuilder(URI.create(tampered)).GET().build());
            assertEquals(403, bad.statusCode());
            assertEquals("SignatureDoesNotMatch", S3Asserts.errorCode(new String(bad.body(), StandardCharsets.UTF_8)));
            HttpResponse<byte[]> otherKey = send(HttpRequest.newBuilder(URI.create(url.replace("get%20me.bin", "other.bin")))
                    .GET().build());
            assertEquals(403, otherKey.statusCode(), "the signature covers the key");
        }
    }

    @Test
    void presignedPut() throws Exception {
        byte[] data = "uploaded through a presigned URL".getBytes(StandardCharsets.UTF_8);
        try (S3Presigner presigner = presigner()) {
            PresignedPutObjectRequest pp = presigner.presignPutObject(r -> r.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(p -> p.bucket(BUCKET).key("presigned/put.txt").contentType("text/plain")));
            HttpRequest.Builder put = HttpRequest.newBuilder(pp.url().toURI()).PUT(HttpRequest.BodyPublishers.ofByteArray(data));
            pp.signedHeaders().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("host")) {
                    values.forEach(v -> put.header(name, v));
                }
            });
            HttpResponse<byte[]> r = send(put.build());
            assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        }
        var got = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("presigned/put.txt"));
        assertArrayEquals(data, got.asByteArray());
        assertEquals("text/plain", got.response().contentType());
    }

    @Test
    void virtualHostedStyle() {
        Set<String> hosts = ConcurrentHashMap.newKeySet();
        try (S3Client vhost = S3Client.builder()
                .endpointOverride(URI.create("http://localhost:" + NODE.node().s3Port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(Node.ACCESS_KEY, Node.SECRET_KEY)))
                .httpClient(ApacheHttpClient.builder().dnsResolver(host -> host.equals("localhost") || host.endsWith(".localhost")
                        ? new InetAddress[] {InetAddress.getLoopbackAddress()}
                        : SystemDefaultDnsResolver.INSTANCE.resolve(host)).build())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission c, ExecutionAttributes a) {
                        hosts.add(c.httpRequest().host());
                    }
                }))
                .build()) {
            vhost.createBucket(b -> b.bucket("vhost-bucket"));
            vhost.putObject(p -> p.bucket("vhost-bucket").key("dir/a file.txt"), RequestBody.fromString("virtual"));
            assertEquals("virtual", vhost.getObjectAsBytes(g -> g.bucket("vhost-bucket").key("dir/a file.txt")).asUtf8String());
            assertEquals(List.of("dir/a file.txt"), vhost.listObjectsV2(l -> l.bucket("vhost-bucket")).contents().stream()
                    .map(S3Object::key).toList());
            assertEquals(Set.of("vhost-bucket.localhost"), hosts, "every request named the bucket in the Host");
        }
        // The same object through path-style.
        assertEquals("virtual", NODE.s3().getObjectAsBytes(g -> g.bucket("vhost-bucket").key("dir/a file.txt")).asUtf8String());
    }

    private static HttpResponse<String> admin(String method, String path, String body, String user, String secret)
            throws IOException, InterruptedException {
        try {
            return AdminApi.send(NODE.node(), method, path, body, user, secret);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Test
    void accessKeysLifecycle() throws Exception {
        assertEquals(401, admin("GET", "/api/keys", null, null, null).statusCode());
        assertEquals(401, admin("GET", "/api/keys", null, Node.ACCESS_KEY, "wrong").statusCode());
        HttpResponse<String> list = admin("GET", "/api/keys", null, Node.ACCESS_KEY, Node.SECRET_KEY);
        assertEquals(200, list.statusCode());
        assertTrue(list.body().contains(Node.ACCESS_KEY));

        // A new key reaches no bucket unless given some.
        JsonNode bare = JSON.readTree(admin("POST", "/api/keys", "{\"description\":\"no buckets\"}", Node.ACCESS_KEY, Node.SECRET_KEY).body());
        try (S3Client nothing = S3Asserts.clientBuilder(NODE.node(), bare.path("accessKeyId").asText(),
                bare.path("secretAccessKey").asText()).build()) {
            assertEquals(List.of(), nothing.listBuckets().buckets(), "a new key sees no bucket");
            assertS3Error(403, "AccessDenied", () -> nothing.putObject(p -> p.bucket(BUCKET).key("x"), RequestBody.fromString("x")));
        }
        assertEquals(400, admin("POST", "/api/keys", "{\"buckets\":{\"*\":\"owner\"}}", Node.ACCESS_KEY, Node.SECRET_KEY).statusCode(),
                "every bucket is read or write, never owner");

        HttpResponse<String> created = admin("POST", "/api/keys", "{\"description\":\"auth-it\",\"buckets\":{\"*\":\"write\"}}",
                Node.ACCESS_KEY, Node.SECRET_KEY);
        assertEquals(201, created.statusCode(), created::body);
        JsonNode key = JSON.readTree(created.body());
        String id = key.path("accessKeyId").asText();
        String secret = key.path("secretAccessKey").asText();
        assertFalse(id.isEmpty() || secret.isEmpty(), created::body);
        assertEquals(401, admin("GET", "/api/keys", null, id, secret).statusCode(), "a non-admin key has no admin API");
        assertTrue(filesContaining(id).stream().anyMatch(f -> f.startsWith(NODE.node().dataDir().resolve("kafka"))),
                "the key's id is in the log (the search below can find strings there)");
        assertEquals(List.of(), filesContaining(secret), "the key's secret is sealed in the log, its changelogs and the views");

        try (S3Client user = S3Asserts.clientBuilder(NODE.node(), id, secret).build()) {
            user.putObject(p -> p.bucket(BUCKET).key("by-new-key"), RequestBody.fromString("hello"));
            assertEquals("hello", user.getObjectAsBytes(g -> g.bucket(BUCKET).key("by-new-key")).asUtf8String());

            assertEquals(204, admin("DELETE", "/api/keys/" + id, null, Node.ACCESS_KEY, Node.SECRET_KEY).statusCode());
            assertS3Error(403, "InvalidAccessKeyId", () -> user.getObject(g -> g.bucket(BUCKET).key("by-new-key")));
            assertS3Error(403, "InvalidAccessKeyId", () -> user.listBuckets());
        }
        assertEquals("hello", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("by-new-key")).asUtf8String());
    }

    @Test
    void theAdminApiTakesSignedRequestsOnlyAndNeverTheSecret() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((Node.ACCESS_KEY + ":" + Node.SECRET_KEY)
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> withBasic = HTTP.send(HttpRequest.newBuilder(URI.create(NODE.node().adminUrl() + "/api/keys"))
                .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, withBasic.statusCode(), "the secret as HTTP Basic is refused even when right");

        // A body changed after signing (same length) is refused, and nothing is made of it.
        URI keys = URI.create(NODE.node().adminUrl() + "/api/keys");
        byte[] signedBody = "{\"description\":\"signed-body\"}".getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder tampered = HttpRequest.newBuilder(keys).POST(HttpRequest.BodyPublishers.ofString(
                "{\"description\":\"swapped-bod\"}"));
        AdminApi.signedHeaders("POST", keys, signedBody, Node.ACCESS_KEY, Node.SECRET_KEY).forEach((k, v) -> {
            if (!Set.of("host", "content-length").contains(k.toLowerCase(java.util.Locale.ROOT))) {
                v.forEach(x -> tampered.header(k, x));
            }
        });
        assertEquals(400, HTTP.send(tampered.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertFalse(admin("GET", "/api/keys", null, Node.ACCESS_KEY, Node.SECRET_KEY).body().contains("swapped"));

        // The last active admin key cannot be revoked: nobody could use the admin API afterwards.
        HttpResponse<String> last = admin("DELETE", "/api/keys/" + Node.ACCESS_KEY, null, Node.ACCESS_KEY, Node.SECRET_KEY);
        assertEquals(409, last.statusCode(), last.body());

        // curl signs admin requests too (--aws-sigv4), as the README shows.
        Path curl = Path.of("/usr/bin/curl");
        if (Files.isExecutable(curl)) {
            Process p = new ProcessBuilder(curl.toString(), "-s", "-o", "/dev/null", "-w", "%{http_code}", "--aws-sigv4",
                    "aws:amz:us-east-1:blockcloset-admin", "-u", Node.ACCESS_KEY + ":" + Node.SECRET_KEY, "-X", "POST", "-d", "{\"description\":\"curl-made\"}",
                    NODE.node().adminUrl() + "/api/keys")
                    .redirectErrorStream(true).start();
            String code = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("201", code, "curl --aws-sigv4 (it signs the body's hash without sending it)");
            assertTrue(admin("GET", "/api/keys", null, Node.ACCESS_KEY, Node.SECRET_KEY).body().contains("curl-made"));
        }
    }

    @Test
    void aKeyGivenSomeBucketsReachesOnlyThoseAndOnlyAsFarAsItWasGiven() throws Exception {
        NODE.s3().createBucket(b -> b.bucket("perm-photos"));
        NODE.s3().createBucket(b -> b.bucket("perm-restic"));
        NODE.s3().putObject(p -> p.bucket("perm-photos").key("cat.jpg"), RequestBody.fromString("meow"));
        HttpResponse<String> created = admin("POST", "/api/keys", "{\"description\":\"restic\"}", Node.ACCESS_KEY, Node.SECRET_KEY);
        JsonNode key = JSON.readTree(created.body());
        String id = key.path("accessKeyId").asText();
        HttpResponse<String> limited = admin("PUT", "/api/keys/" + id + "/buckets", "{\"buckets\":{\"perm-restic\":\"write\"}}",
                Node.ACCESS_KEY, Node.SECRET_KEY);
        assertEquals(200, limited.statusCode(), limited.body());
        try (S3Client restic = S3Asserts.clientBuilder(NODE.node(), id, key.path("secretAccessKey").asText()).build()) {
            restic.putObject(p -> p.bucket("perm-restic").key("snap"), RequestBody.fromString("data"));
            assertEquals("data", restic.getObjectAsBytes(g -> g.bucket("perm-restic").key("snap")).asUtf8String());
            assertEquals(List.of("perm-restic"), restic.listBuckets().buckets().stream()
                    .map(software.amazon.awssdk.services.s3.model.Bucket::name).toList(), "it sees only its buckets");
            assertS3Error(403, "AccessDenied", () -> restic.getObject(g -> g.bucket("perm-photos").key("cat.jpg")));
            assertS3Error(403, "AccessDenied", () -> restic.putObject(p -> p.bucket("perm-photos").key("x"), RequestBody.fromString("x")));
            assertS3Error(403, "AccessDenied", () -> restic.deleteObject(d -> d.bucket("perm-photos").key("cat.jpg")));
            assertS3Error(403, "AccessDenied", () -> restic.listObjectsV2(l -> l.bucket("perm-photos")));
            assertS3Error(403, "AccessDenied", () -> restic.copyObject(c -> c.sourceBucket("perm-photos").sourceKey("cat.jpg")
                    .destinationBucket("perm-restic").destinationKey("stolen"))); // a copy reads its source
            assertS3Error(403, "AccessDenied", () -> restic.createBucket(b -> b.bucket("perm-new")));
            assertS3Error(403, "AccessDenied", () -> restic.deleteBucket(b -> b.bucket("perm-restic"))); // deleting needs owner

            // In a versioned bucket write adds versions and delete markers; deleting a version for good needs owner.
            NODE.s3().putBucketVersioning(v -> v.bucket("perm-restic").versioningConfiguration(c -> c.status("Enabled")));
            String first = restic.putObject(p -> p.bucket("perm-restic").key("history"), RequestBody.fromString("one")).versionId();
            restic.putObject(p -> p.bucket("perm-restic").key("history"), RequestBody.fromString("two"));
            assertS3Error(403, "AccessDenied", () -> restic.deleteObject(d -> d.bucket("perm-restic").key("history").versionId(first)));
            var batch = restic.deleteObjects(d -> d.bucket("perm-restic").delete(x -> x.objects(
                    software.amazon.awssdk.services.s3.model.ObjectIdentifier.builder().key("history").versionId(first).build())));
            assertEquals(List.of("AccessDenied"), batch.errors().stream().map(software.amazon.awssdk.services.s3.model.S3Error::code).toList());
            assertTrue(restic.deleteObject(d -> d.bucket("perm-restic").key("history")).deleteMarker(), "a delete marker is fine");
            assertEquals("one", NODE.s3().getObjectAsBytes(g -> g.bucket("perm-restic").key("history").versionId(first)).asUtf8String(),
                    "the first version is still there");

            assertEquals(200, admin("PUT", "/api/keys/" + id + "/buckets",
                    "{\"buckets\":{\"perm-restic\":\"write\",\"perm-photos\":\"read\"}}", Node.ACCESS_KEY, Node.SECRET_KEY).statusCode());
            assertEquals("meow", restic.getObjectAsBytes(g -> g.bucket("perm-photos").key("cat.jpg")).asUtf8String());
            // read is not write
            assertS3Error(403, "AccessDenied", () -> restic.putObject(p -> p.bucket("perm-photos").key("x"), RequestBody.fromString("x")));
        }
        assertEquals("meow", NODE.s3().getObjectAsBytes(g -> g.bucket("perm-photos").key("cat.jpg")).asUtf8String());
        assertFalse(NODE.s3().listObjectsV2(l -> l.bucket("perm-restic")).contents().stream().anyMatch(o -> o.key().equals("stolen")));
    }

    @Test
    void wrongCredentials() {
        try (S3Client wrongSecret = S3Asserts.clientBuilder(NODE.node(), Node.ACCESS_KEY, "not-the-secret").build();
             S3Client unknown = S3Asserts.clientBuilder(NODE.node(), "BCNOSUCHKEY000000000", "whatever").build()) {
            assertS3Error(403, "SignatureDoesNotMatch", () -> wrongSecret.listBuckets());
            assertS3Error(403, "SignatureDoesNotMatch", () -> wrongSecret.putObject(p -> p.bucket(BUCKET).key("nope"),
                    RequestBody.fromString("x")));
            assertS3Error(403, "InvalidAccessKeyId", () -> unknown.listObjectsV2(l -> l.bucket(BUCKET)));
        }
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key("nope")));
    }

    @Test
    void anonymousRequestsAreDenied() throws Exception {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(NODE.node().endpoint() + "/" + BUCKET)).GET().build());
        assertEquals(403, r.statusCode());
        assertEquals("AccessDenied", S3Asserts.errorCode(new String(r.body(), StandardCharsets.UTF_8)));
    }

    /** Files of the node's log and views whose bytes contain {@code text}. */
    private static List<Path> filesContaining(String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        List<Path> found = new ArrayList<>();
        for (String dir : List.of("kafka", "streams")) {
            try (Stream<Path> files = Files.walk(NODE.node().dataDir().resolve(dir))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    byte[] hay;
                    try {
                        hay = Files.readAllBytes(f);
                    } catch (IOException gone) {
                        continue; // a segment or SST file replaced while walking
                    }
                    if (ItSupport.indexOf(hay, needle) >= 0) {
                        found.add(f);
                    }
                }
            }
        }
        return found;
    }
}
