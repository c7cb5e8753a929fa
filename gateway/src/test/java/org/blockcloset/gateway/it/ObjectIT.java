package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.EMPTY_MD5;
import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.blockcloset.gateway.it.S3Asserts.md5Hex;
import static org.blockcloset.gateway.it.S3Asserts.quoted;
import static org.blockcloset.gateway.it.S3Asserts.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/** PutObject, GetObject, HeadObject, DeleteObject(s): metadata, ETags, awkward keys, overwrites. */
class ObjectIT {
    private static final String BUCKET = "objects";

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    @BeforeAll
    static void start() throws Exception {
        NODE.s3().createBucket(b -> b.bucket(BUCKET));
    }

    @Test
    void metadataIsKeptAndReturned() {
        byte[] data = "{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8);
        var put = NODE.s3().putObject(p -> p.bucket(BUCKET).key("meta.json")
                .contentType("application/json; charset=utf-8")
                .cacheControl("max-age=3600, public")
                .contentDisposition("attachment; filename=\"meta.json\"")
                .contentLanguage("en-GB")
                .metadata(Map.of("color", "blue", "owner-name", "Ada Lovelace")), RequestBody.fromBytes(data));
        assertEquals(quoted(md5Hex(data)), put.eTag());

        HeadObjectResponse head = NODE.s3().headObject(h -> h.bucket(BUCKET).key("meta.json"));
        ResponseBytes<GetObjectResponse> get = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("meta.json"));
        assertArrayEquals(data, get.asByteArray());
        GetObjectResponse g = get.response();
        assertStoredMetadata(head.contentType(), head.cacheControl(), head.contentDisposition(), head.contentLanguage(),
                head.metadata());
        assertStoredMetadata(g.contentType(), g.cacheControl(), g.contentDisposition(), g.contentLanguage(), g.metadata());
        assertEquals(quoted(md5Hex(data)), head.eTag());
        assertEquals(quoted(md5Hex(data)), g.eTag());
        assertEquals((long) data.length, head.contentLength());
        assertEquals((long) data.length, g.contentLength());
        assertTrue(head.lastModified() != null && head.lastModified().equals(get.response().lastModified()));
        // As the header was written (RFC 9110's IMF-fixdate: a two-digit day), not as the SDK's lenient parser read it.
        String raw = head.sdkHttpResponse().firstMatchingHeader("Last-Modified").orElseThrow();
        assertTrue(raw.matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), raw);
    }

    private static void assertStoredMetadata(String type, String cache, String disposition, String language,
                                             Map<String, String> user) {
        assertEquals("application/json; charset=utf-8", type);
        assertEquals("max-age=3600, public", cache);
        assertEquals("attachment; filename=\"meta.json\"", disposition);
        assertEquals("en-GB", language);
        assertEquals(Map.of("color", "blue", "owner-name", "Ada Lovelace"), user);
    }

    @Test
    void zeroByteObject() {
        var put = NODE.s3().putObject(p -> p.bucket(BUCKET).key("empty"), RequestBody.empty());
        assertEquals(quoted(EMPTY_MD5), put.eTag());
        ResponseBytes<GetObjectResponse> get = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("empty"));
        assertEquals(0, get.asByteArray().length);
        assertEquals(quoted(EMPTY_MD5), get.response().eTag());
        assertEquals(0L, NODE.s3().headObject(h -> h.bucket(BUCKET).key("empty")).contentLength());
    }

    @Test
    void etagIsMd5OfBody() {
        byte[] data = randomBytes(1024 * 1024 + 333, 7); // more than one block
        var put = NODE.s3().putObject(p -> p.bucket(BUCKET).key("md5/blob"), RequestBody.fromBytes(data));
        assertEquals(quoted(md5Hex(data)), put.eTag());
        assertEquals(quoted(md5Hex(data)), NODE.s3().headObject(h -> h.bucket(BUCKET).key("md5/blob")).eTag());
    }

    @ParameterizedTest
    @ValueSource(strings = {"café/naïve résumé", "emoji/😀🚀 key", "with space", "a+b+c", "100%", "50%25 literal",
            "double//slash", "dots/../up", "./dot/./segments", "trailing/", "q?uestion&a=b#hash", "~tilde*star'",
            "ünïcödé/日本語/键"})
    void awkwardKeysRoundTrip(String key) {
        byte[] data = ("body of " + key).getBytes(StandardCharsets.UTF_8);
        NODE.s3().putObject(p -> p.bucket(BUCKET).key(key), RequestBody.fromBytes(data));
        assertArrayEquals(data, NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asByteArray());
        assertEquals((long) data.length, NODE.s3().headObject(h -> h.bucket(BUCKET).key(key)).contentLength());
        List<String> listed = NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).prefix(key)).contents().stream()
                .map(S3Object::key).toList();
        assertTrue(listed.contains(key), () -> key + " not in " + listed);
        NODE.s3().deleteObject(d -> d.bucket(BUCKET).key(key));
        assertInstanceOf(NoSuchKeyException.class,
                assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key(key))));
    }

    @Test
    void keyLengthLimitIs1024Bytes() {
        String ascii = "k".repeat(1024);
        NODE.s3().putObject(p -> p.bucket(BUCKET).key(ascii), RequestBody.fromString("ok"));
        assertEquals("ok", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(ascii)).asUtf8String());
        String emoji = "😀".repeat(256); // 4 UTF-8 bytes each: exactly 1024
        NODE.s3().putObject(p -> p.bucket(BUCKET).key(emoji), RequestBody.fromString("ok"));
        assertEquals("ok", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(emoji)).asUtf8String());

        String tooLong = "k".repeat(1025);
        assertS3Error(400, "KeyTooLongError", () -> NODE.s3().putObject(p -> p.bucket(BUCKET).key(tooLong),
                RequestBody.fromString("no")));
        assertS3Error(400, "KeyTooLongError", () -> NODE.s3().putObject(p -> p.bucket(BUCKET).key("é" + emoji),
                RequestBody.fromString("no")));
    }

    @Test
    void overwriteReturnsNewest() {
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("over").contentType("text/plain").metadata(Map.of("v", "1")),
                RequestBody.fromString("first version"));
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("over").contentType("text/csv"), RequestBody.fromString("second"));
        ResponseBytes<GetObjectResponse> get = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("over"));
        assertEquals("second", get.asUtf8String());
        assertEquals("text/csv", get.response().contentType());
        assertEquals(Map.of(), get.response().metadata(), "metadata is replaced, not merged");
        assertEquals(quoted(md5Hex("second".getBytes(StandardCharsets.UTF_8))), get.response().eTag());
    }

    @Test
    void missingKeyErrors() {
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key("never/was")));
        assertInstanceOf(NoSuchKeyException.class,
                assertS3Error(404, null, () -> NODE.s3().headObject(h -> h.bucket(BUCKET).key("never/was"))));
        var del = NODE.s3().deleteObject(d -> d.bucket(BUCKET).key("never/was"));
        assertEquals(204, del.sdkHttpResponse().statusCode());
    }

    @Test
    void deleteObjectsVerboseAndQuiet() {
        for (String k : List.of("del/a", "del/b", "del/c", "del/d")) {
            NODE.s3().putObject(p -> p.bucket(BUCKET).key(k), RequestBody.fromString(k));
        }
        DeleteObjectsResponse verbose = NODE.s3().deleteObjects(d -> d.bucket(BUCKET).delete(x -> x.objects(
                ObjectIdentifier.builder().key("del/a").build(), ObjectIdentifier.builder().key("del/b").build(),
                ObjectIdentifier.builder().key("del/missing").build())));
        assertEquals(Set.of("del/a", "del/b", "del/missing"),
                verbose.deleted().stream().map(DeletedObject::key).collect(Collectors.toSet()));
        assertTrue(verbose.errors().isEmpty(), verbose.errors()::toString);

        DeleteObjectsResponse quiet = NODE.s3().deleteObjects(d -> d.bucket(BUCKET).delete(x -> x.quiet(true).objects(
                ObjectIdentifier.builder().key("del/c").build())));
        assertTrue(quiet.deleted().isEmpty(), "quiet mode reports only errors");
        assertTrue(quiet.errors().isEmpty());

        assertEquals(List.of("del/d"), NODE.s3().listObjectsV2(l -> l.bucket(BUCKET).prefix("del/")).contents().stream()
                .map(S3Object::key).toList());
    }

    @Test
    void responseHeaderOverrides() {
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("override.bin").contentType("application/octet-stream"),
                RequestBody.fromString("payload"));
        ResponseBytes<GetObjectResponse> get = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("override.bin")
                .responseContentType("text/plain; charset=utf-8")
                .responseContentDisposition("attachment; filename=\"report.txt\"")
                .responseCacheControl("no-store"));
        assertEquals("payload", get.asUtf8String());
        assertEquals("text/plain; charset=utf-8", get.response().contentType());
        assertEquals("attachment; filename=\"report.txt\"", get.response().contentDisposition());
        assertEquals("no-store", get.response().cacheControl());
        // The stored metadata is unchanged.
        assertEquals("application/octet-stream", NODE.s3().headObject(h -> h.bucket(BUCKET).key("override.bin")).contentType());
    }

    @Test
    void copyObjectSameAndCrossBucket() {
        byte[] data = randomBytes(1024 * 1024 + 10, 9);
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("copy/src ü").contentType("image/png").metadata(Map.of("k", "v")),
                RequestBody.fromBytes(data));
        var same = NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("copy/src ü").destinationBucket(BUCKET)
                .destinationKey("copy/dst"));
        assertEquals(quoted(md5Hex(data)), same.copyObjectResult().eTag());
        NODE.s3().createBucket(b -> b.bucket("objects-other"));
        NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("copy/src ü").destinationBucket("objects-other")
                .destinationKey("elsewhere/dst"));
        for (String[] bk : new String[][] {{BUCKET, "copy/dst"}, {"objects-other", "elsewhere/dst"}}) {
            ResponseBytes<GetObjectResponse> get = NODE.s3().getObjectAsBytes(g -> g.bucket(bk[0]).key(bk[1]));
            assertArrayEquals(data, get.asByteArray());
            assertEquals("image/png", get.response().contentType(), "metadata is copied by default");
            assertEquals(Map.of("k", "v"), get.response().metadata());
        }
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("copy/none")
                .destinationBucket(BUCKET).destinationKey("copy/x")));
        assertS3Error(412, "PreconditionFailed", () -> NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("copy/src ü")
                .destinationBucket(BUCKET).destinationKey("copy/x").copySourceIfMatch("\"nope\"")));
    }

    @Test
    void copyObjectMetadataDirective() {
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("meta/src").contentType("text/plain").metadata(Map.of("a", "1")),
                RequestBody.fromString("same bytes"));
        NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("meta/src").destinationBucket(BUCKET).destinationKey("meta/copy")
                .metadataDirective(MetadataDirective.COPY).contentType("ignored/when-copying").metadata(Map.of("b", "2")));
        HeadObjectResponse copied = NODE.s3().headObject(h -> h.bucket(BUCKET).key("meta/copy"));
        assertEquals("text/plain", copied.contentType());
        assertEquals(Map.of("a", "1"), copied.metadata());

        NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("meta/src").destinationBucket(BUCKET).destinationKey("meta/replaced")
                .metadataDirective(MetadataDirective.REPLACE).contentType("text/markdown").metadata(Map.of("b", "2")));
        HeadObjectResponse replaced = NODE.s3().headObject(h -> h.bucket(BUCKET).key("meta/replaced"));
        assertEquals("text/markdown", replaced.contentType());
        assertEquals(Map.of("b", "2"), replaced.metadata());
        assertEquals("same bytes", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("meta/replaced")).asUtf8String());
    }

    @Test
    void copyOntoItself() {
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("self").metadata(Map.of("v", "1")), RequestBody.fromString("me"));
        assertS3Error(400, "InvalidRequest", () -> NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("self")
                .destinationBucket(BUCKET).destinationKey("self")));
        NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("self").destinationBucket(BUCKET).destinationKey("self")
                .metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("v", "2")));
        HeadObjectResponse h = NODE.s3().headObject(x -> x.bucket(BUCKET).key("self"));
        assertEquals(Map.of("v", "2"), h.metadata());
        assertEquals("me", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("self")).asUtf8String());
    }

    @Test
    void errorsCarryRequestIds() {
        AwsServiceException e = assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key("nope")));
        assertTrue(e.requestId() != null && !e.requestId().isEmpty(), "x-amz-request-id is sent");
    }

    @Test
    void ifMatchStarOnAWriteRequiresTheKeyToExist() {
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("if-match/exists"), RequestBody.fromString("one"));
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("if-match/exists").ifMatch("*"), RequestBody.fromString("two"));
        assertEquals("two", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("if-match/exists")).asUtf8String());
        assertS3Error(412, "PreconditionFailed", () -> NODE.s3().putObject(p -> p.bucket(BUCKET).key("if-match/absent").ifMatch("*"),
                RequestBody.fromString("nope")));
    }
}
