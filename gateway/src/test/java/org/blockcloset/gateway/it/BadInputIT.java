package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.ItSupport.random;
import static org.blockcloset.gateway.it.ItSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Requests S3 refuses get the error code and status S3 gives, and refusing them harms nothing
 * stored: a canary object written first is checked byte for byte after every test.
 *
 * <p>One node for all: capacity 3 MiB (for the quota tests, which run last) and 128 KiB blocks, so
 * that multi-block objects stay small enough to leave room for them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {
    private static final String BUCKET = "bad-input";
    private static final int BLOCK = 128 << 10;
    private static final int MIB = 1 << 20;

    @TempDir
    static Path dir;
    static Node node;
    static S3Client s3;
    static RawS3 raw;
    static final byte[] canary = random(new Random(1), 4096);

    @BeforeAll
    static void start() throws Exception {
        node = Node.start(dir.resolve("node"), Map.of("BLOCKCLOSET_CAPACITY", "3MiB", "BLOCKCLOSET_BLOCK_SIZE", "128KiB"));
        s3 = ItSupport.clientWithoutRetries(node);
        raw = new RawS3(node);
        s3.createBucket(b -> b.bucket(BUCKET));
        s3.putObject(p -> p.bucket(BUCKET).key("canary"), RequestBody.fromBytes(canary));
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void canaryIsUnharmed() {
        assertArrayEquals(canary, s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("canary")).asByteArray());
    }

    private static S3Exception s3Error(int status, String code, Runnable call) {
        S3Exception e = assertThrows(S3Exception.class, call::run);
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
        assertEquals(status, e.statusCode(), e.getMessage());
        return e;
    }

    private static void assertAbsent(String key) {
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(h -> h.bucket(BUCKET).key(key)), key + " exists");
        assertFalse(listedKeys().contains(key), key + " is listed");
    }

    private static List<String> listedKeys() {
        return s3.listObjectsV2Paginator(l -> l.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
    }

    private static void assertRaw(int status, String code, RawS3.Response r) {
        assertEquals(status, r.status(), r.text());
        assertEquals(code, r.errorCode(), r.text());
    }

    // ---- authentication ----

    @Test
    @Order(0)
    void aCreateBucketBodyIsNotReadWholeWhateverItsSize() throws Exception {
        RawS3.Response r = raw.send(raw.sign(SdkHttpMethod.PUT, "/huge-config"), new byte[1 << 20]);
        assertRaw(400, "MaxMessageLengthExceeded", r);
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("huge-config")));
    }

    @Test
    @Order(0)
    void aPlusInTheQueryMeansWhatTheSignatureReadItAs() throws Exception {
        s3.putObject(p -> p.bucket(BUCKET).key("plus/a+b"), RequestBody.fromString("plus"));
        s3.putObject(p -> p.bucket(BUCKET).key("plus/a b"), RequestBody.fromString("space"));
        // The same bytes on the wire, "prefix=plus/a+b", signed once as a plus (%2B) and once as a space (%20).
        for (String[] c : new String[][] {{"plus/a+b", "plus/a+b"}, {"plus/a b", "plus/a b"}}) {
            SdkHttpRequest signed = raw.sign(SdkHttpMethod.GET, "/" + BUCKET, Map.of("list-type", "2", "prefix", c[0]),
                    x -> { });
            String head = new String(RawS3.head(signed, Map.of("Connection", "close")), StandardCharsets.ISO_8859_1)
                    .replace("prefix=plus%2Fa%2Bb", "prefix=plus/a+b").replace("prefix=plus%2Fa%20b", "prefix=plus/a+b");
            assertTrue(head.contains("prefix=plus/a+b"), head);
            RawS3.Response r = raw.exchange(head.getBytes(StandardCharsets.ISO_8859_1), null, false, 30_000);
            assertEquals(200, r.status(), r.text());
            assertTrue(r.text().contains("<Key>" + c[1] + "</Key>"), c[0] + ": " + r.text());
            assertEquals(1, r.text().split("<Contents>").length - 1, "exactly the key the signature named: " + r.text());
        }
    }

    @Test
    @Order(1)
    void wrongSecretIsSignatureDoesNotMatch() {
        try (S3Client bad = ItSupport.client(node, Node.ACCESS_KEY, "not-the-secret-" + "x".repeat(25))) {
            s3Error(403, "SignatureDoesNotMatch", () -> bad.putObject(p -> p.bucket(BUCKET).key("canary"),
                    RequestBody.fromString("overwritten?")));
            s3Error(403, "SignatureDoesNotMatch", () -> bad.deleteObject(d -> d.bucket(BUCKET).key("canary")));
            s3Error(403, "SignatureDoesNotMatch", () -> bad.putObject(p -> p.bucket(BUCKET).key("wrong-secret"),
                    RequestBody.fromString("x")));
        }
        assertAbsent("wrong-secret");
    }

    @Test
    @Order(1)
    void unknownKeyIdIsInvalidAccessKeyId() {
        try (S3Client bad = ItSupport.client(node, "AKIDNOSUCHKEY0000000", Node.SECRET_KEY)) {
            s3Error(403, "InvalidAccessKeyId", () -> bad.listObjectsV2(l -> l.bucket(BUCKET)));
            s3Error(403, "InvalidAccessKeyId", () -> bad.putObject(p -> p.bucket(BUCKET).key("unknown-key"),
                    RequestBody.fromString("x")));
        }
        assertAbsent("unknown-key");
    }

    @Test
    @Order(1)
    void anonymousRequestsAreAccessDenied() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(node.endpoint() + "/" + BUCKET + "/canary"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, get.statusCode());
        assertEquals("AccessDenied", ItSupport.errorCode(get.body()), get.body());
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(node.endpoint() + "/" + BUCKET + "/anonymous"))
                .PUT(HttpRequest.BodyPublishers.ofString("anonymous data")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, put.statusCode());
        assertEquals("AccessDenied", ItSupport.errorCode(put.body()), put.body());
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(URI.create(node.endpoint() + "/" + BUCKET + "/canary"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, delete.statusCode());
        assertAbsent("anonymous");
    }

    @Test
    @Order(1)
    void expiredPresignedUrlIsAccessDenied() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // Control: the same URL signed now works, so the refusal below is about the expiry.
        HttpResponse<byte[]> fresh = http.send(HttpRequest.newBuilder(presignedGet(Clock.systemUTC(), Duration.ofMinutes(5)))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fresh.statusCode());
        assertArrayEquals(canary, fresh.body());

        Clock past = Clock.fixed(Instant.now().minusSeconds(120), ZoneOffset.UTC);
        HttpResponse<String> expired = http.send(HttpRequest.newBuilder(presignedGet(past, Duration.ofSeconds(1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, expired.statusCode(), expired.body());
        assertEquals("AccessDenied", ItSupport.errorCode(expired.body()), expired.body());
        assertTrue(expired.body().contains("expired"), expired.body());
    }

    private static URI presignedGet(Clock clock, Duration expiry) {
        SdkHttpRequest signed = raw.sign(SdkHttpMethod.GET, "/" + BUCKET + "/canary", Map.of(), s -> s
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, expiry)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
        String query = SdkHttpUtils.encodeAndFlattenQueryParameters(signed.rawQueryParameters()).orElseThrow();
        return URI.create(node.endpoint() + signed.encodedPath() + "?" + query);
    }

    // ---- Content-MD5 ----

    @Test
    @Order(1)
    void wrongContentMd5IsBadDigest() throws Exception {
        byte[] data = random(new Random(2), 10_000);
        String wrong = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest("other".getBytes()));
        s3Error(400, "BadDigest", () -> s3.putObject(p -> p.bucket(BUCKET).key("bad-md5").contentMD5(wrong),
                RequestBody.fromBytes(data)));
        assertAbsent("bad-md5");
        s3Error(400, "BadDigest", () -> s3.putObject(p -> p.bucket(BUCKET).key("canary").contentMD5(wrong),
                RequestBody.fromBytes(data)));
    }

    @Test
    @Order(1)
    void malformedContentMd5IsInvalidDigest() {
        s3Error(400, "InvalidDigest", () -> s3.putObject(p -> p.bucket(BUCKET).key("malformed-md5").contentMD5("not*base64!"),
                RequestBody.fromString("x")));
        // Valid base64, but not 16 bytes.
        s3Error(400, "InvalidDigest", () -> s3.putObject(p -> p.bucket(BUCKET).key("malformed-md5").contentMD5("AAAA"),
                RequestBody.fromString("x")));
        assertAbsent("malformed-md5");
    }

    // ---- bodies that do not match Content-Length (raw socket) ----

    @Test
    @Order(1)
    void bodyShorterThanContentLengthIsIncompleteBodyAndStoresNothing() throws Exception {
        SdkHttpRequest signed = raw.sign(SdkHttpMethod.PUT, "/" + BUCKET + "/short");
        byte[] head = RawS3.head(signed, Map.of("Content-Length", "1000", "Connection", "close"));
        try {
            RawS3.Response r = raw.exchange(head, random(new Random(3), 500), true, 30_000);
            assertRaw(400, "IncompleteBody", r);
        } catch (IOException connectionClosed) {
            // Also acceptable: the server gave up on the connection without a response.
        }
        assertAbsent("short");
    }

    /**
     * S3 frames a request body by its Content-Length (HTTP/1.1): it stores exactly that many bytes;
     * whatever follows on the connection would be parsed as the next request, never appended to
     * this object. Here the connection closes after the response, so the extra bytes are dropped.
     */
    @Test
    @Order(1)
    void bodyLongerThanContentLengthStoresOnlyContentLengthBytes() throws Exception {
        byte[] sent = random(new Random(4), 1500);
        SdkHttpRequest signed = raw.sign(SdkHttpMethod.PUT, "/" + BUCKET + "/long");
        byte[] head = RawS3.head(signed, Map.of("Content-Length", "1000", "Connection", "close"));
        RawS3.Response r = raw.exchange(head, sent, false, 30_000);
        assertEquals(200, r.status(), r.text());
        byte[] stored = s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("long")).asByteArray();
        assertArrayEquals(Arrays.copyOf(sent, 1000), stored);
    }

    @Test
    @Order(1)
    void oversizedContentLengthIsRefusedBeforeTheBodyIsRead() throws Exception {
        SdkHttpRequest signed = raw.sign(SdkHttpMethod.PUT, "/" + BUCKET + "/huge");
        byte[] head = RawS3.head(signed, Map.of("Content-Length", Long.toString((5L << 30) + 1), "Connection", "close"));
        // Only the headers are sent; the answer must come without the server waiting for the body.
        RawS3.Response r = raw.exchange(head, null, false, 15_000);
        assertRaw(400, "EntityTooLarge", r);
        assertAbsent("huge");
    }

    // ---- names and ranges ----

    @Test
    @Order(1)
    void invalidBucketNamesAreInvalidBucketName() throws Exception {
        List<String> names = List.of("ab", "a".repeat(64), "Upper-Case", "under_score", "-leading-dash", "trailing-dash-",
                "double..dot", "192.168.5.4", "xn--punycode", "sthree-bucket", "name-s3alias", "name--ol-s3", ".leading-dot");
        // Raw requests: the SDK refuses some of these names itself before sending anything.
        for (String name : names) {
            RawS3.Response r = raw.send(raw.sign(SdkHttpMethod.PUT, "/" + name), null);
            assertEquals(400, r.status(), name + ": " + r.text());
            assertEquals("InvalidBucketName", r.errorCode(), name + ": " + r.text());
        }
        List<String> buckets = s3.listBuckets().buckets().stream().map(Bucket::name).toList();
        assertEquals(List.of(BUCKET), buckets);
    }

    @Test
    @Order(1)
    void rangeBeyondTheObjectIsInvalidRange() {
        S3Exception e = s3Error(416, "InvalidRange", () -> s3.getObject(g -> g.bucket(BUCKET).key("canary")
                .range("bytes=" + canary.length + "-" + (canary.length + 100))));
        assertEquals("bytes */" + canary.length,
                e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Content-Range").orElse(null));
        s3Error(416, "InvalidRange", () -> s3.getObject(g -> g.bucket(BUCKET).key("canary").range("bytes=999999-")));
    }

    // ---- corruption on disk ----

    @Test
    @Order(2)
    void corruptSingleBlockObjectIsAnInternalErrorNotWrongBytes() throws Exception {
        byte[] data = random(new Random(5), 50_000);
        s3.putObject(p -> p.bucket(BUCKET).key("corrupt-single"), RequestBody.fromBytes(data));
        flipByte(ItSupport.blockFile(node, data, 0, data.length), 12_345);
        s3Error(500, "InternalError", () -> s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("corrupt-single")));
        s3Error(500, "InternalError", () -> s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("corrupt-single")
                .range("bytes=0-99")));
    }

    @Test
    @Order(2)
    void corruptLaterBlockCutsTheConnectionInsteadOfSendingWrongBytes() throws Exception {
        byte[] data = random(new Random(6), 2 * BLOCK + 44_000);
        s3.putObject(p -> p.bucket(BUCKET).key("corrupt-multi"), RequestBody.fromBytes(data));
        flipByte(ItSupport.blockFile(node, data, BLOCK, BLOCK), 77);

        RawS3.Response r = raw.send(raw.sign(SdkHttpMethod.GET, "/" + BUCKET + "/corrupt-multi"), null);
        if (r.status() == 200) {
            assertEquals(Long.toString(data.length), r.header("Content-Length"));
            assertFalse(r.complete(), "a complete body was sent although block 2 is corrupt");
            assertTrue(r.body().length < data.length);
            // What did arrive is the object's true prefix (from the intact first block).
            assertArrayEquals(Arrays.copyOf(data, r.body().length), r.body());
        } else {
            assertRaw(500, "InternalError", r);
        }
        // The intact first block is still served; a range starting in the corrupt block is a clean error.
        byte[] first = s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("corrupt-multi").range("bytes=0-999")).asByteArray();
        assertArrayEquals(Arrays.copyOf(data, 1000), first);
        s3Error(500, "InternalError", () -> s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("corrupt-multi")
                .range("bytes=" + BLOCK + "-" + (BLOCK + 10))));
    }

    private static void flipByte(Path block, int offset) throws IOException {
        assertTrue(Files.exists(block), "block file " + block);
        block.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(block);
        bytes[offset] ^= 0x5A;
        Files.write(block, bytes);
    }

    // ---- quota (last: they fill the store) ----

    @Test
    @Order(3)
    void putBeyondCapacityIsInsufficientStorageAndTakesNoSpace() {
        long[] before = ItSupport.usedAndCapacity(node);
        assertEquals(3 * MIB, before[1]);
        byte[] first = random(new Random(7), 2 * MIB);
        s3.putObject(p -> p.bucket(BUCKET).key("quota-1"), RequestBody.fromBytes(first));
        long used = ItSupport.usedAndCapacity(node)[0];
        assertTrue(used >= before[0] + 2 * MIB, "used " + before[0] + " -> " + used);

        byte[] second = random(new Random(8), 2 * MIB);
        s3Error(507, "InsufficientStorage", () -> s3.putObject(p -> p.bucket(BUCKET).key("quota-2"),
                RequestBody.fromBytes(second)));
        assertAbsent("quota-2");
        assertEquals(used, ItSupport.usedAndCapacity(node)[0]);

        // The SDK's "unknown length" body (it measures the stream, then sends aws-chunked).
        s3Error(507, "InsufficientStorage", () -> s3.putObject(p -> p.bucket(BUCKET).key("quota-3"),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(second), "application/octet-stream")));
        assertAbsent("quota-3");
        assertEquals(used, ItSupport.usedAndCapacity(node)[0]);
        assertArrayEquals(first, s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("quota-1")).asByteArray());
    }

    /**
     * A body of unknown length (HTTP chunked, no Content-Length) cannot be refused up front: the
     * store runs out while the body streams in, and the request must fail with 507 and leave
     * nothing, neither an object nor space taken.
     */
    @Test
    @Order(4)
    void streamingPutRunningOutOfSpaceMidwayLeavesNothing() throws Exception {
        long usedBefore = ItSupport.usedAndCapacity(node)[0];
        SdkHttpRequest signed = raw.sign(SdkHttpMethod.PUT, "/" + BUCKET + "/quota-stream");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Transfer-Encoding", "chunked");
        headers.put("Connection", "close");
        byte[] head = RawS3.head(signed, headers);
        // Distinct bytes throughout: repeated content would deduplicate into one block and fit.
        Random rnd = new Random(9);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.s3Port()), 5000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(head);
            // Write from another thread: the server may answer (and stop reading) before we finish.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 64; i++) { // 4 MiB, more than the store has left
                        byte[] chunk = random(rnd, 64 << 10);
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException serverStoppedReading) {
                    // expected once the server has refused the upload
                }
            });
            RawS3.Response r = RawS3.read(s.getInputStream());
            assertRaw(507, "InsufficientStorage", r);
            writer.get(30, TimeUnit.SECONDS);
        }
        assertAbsent("quota-stream");
        assertEquals(usedBefore, ItSupport.usedAndCapacity(node)[0]);
    }

    @Test
    @Order(5)
    void storeStillServesAfterAllThat() {
        List<String> keys = listedKeys();
        for (String absent : List.of("wrong-secret", "unknown-key", "anonymous", "bad-md5", "malformed-md5", "short", "huge",
                "quota-2", "quota-3", "quota-stream")) {
            assertFalse(keys.contains(absent), absent);
        }
        assertEquals(sha256(canary), sha256(s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("canary")).asByteArray()));
        if (!keys.contains("quota-1")) {
            fail("quota-1 missing: " + keys);
        }
    }

    @Test
    void aBucketNameIsCheckedOnEveryRequestNotOnlyOnCreate() throws Exception {
        // "bad-input%2Fcanary" decodes to a bucket "bad-input/canary": never bucket "bad-input"'s key "canary/...".
        s3.putObject(p -> p.bucket(BUCKET).key("canary/inner"), RequestBody.fromString("inner"));
        RawS3.Response r = raw.send(raw.sign(software.amazon.awssdk.http.SdkHttpMethod.GET, "/" + BUCKET + "%2Fcanary/inner"), null);
        assertEquals(400, r.status(), r.text());
        assertEquals("InvalidBucketName", r.errorCode(), r.text());
        s3.deleteObject(d -> d.bucket(BUCKET).key("canary/inner"));
    }

    @Test
    void everyAmzHeaderMustBeSignedInHeaderAuthToo() throws Exception {
        SdkHttpRequest signed = raw.sign(SdkHttpMethod.GET, "/" + BUCKET + "/canary");
        RawS3.Response ok = raw.send(signed, null);
        assertEquals(200, ok.status(), ok.text());
        // The same captured request with an x-amz-* header the signature does not cover.
        RawS3.Response r = raw.exchange(RawS3.head(signed, Map.of("x-amz-checksum-mode", "ENABLED")), null, false, 30_000);
        assertEquals(403, r.status(), r.text());
        assertEquals("AccessDenied", r.errorCode(), r.text());
    }
}
