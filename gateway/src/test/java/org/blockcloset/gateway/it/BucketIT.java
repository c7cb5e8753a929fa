package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/** Bucket operations: create, list, head, delete, naming rules, location, missing buckets. */
class BucketIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    @Test
    void createListHeadDelete() {
        NODE.s3().createBucket(b -> b.bucket("bucket-life"));
        List<String> names = NODE.s3().listBuckets().buckets().stream().map(Bucket::name).toList();
        assertTrue(names.contains("bucket-life"), names::toString);
        assertEquals(200, NODE.s3().headBucket(h -> h.bucket("bucket-life")).sdkHttpResponse().statusCode());

        NODE.s3().deleteBucket(d -> d.bucket("bucket-life"));
        assertFalse(NODE.s3().listBuckets().buckets().stream().anyMatch(b -> b.name().equals("bucket-life")));
        AwsServiceException e = assertS3Error(404, null, () -> NODE.s3().headBucket(h -> h.bucket("bucket-life")));
        assertInstanceOf(NoSuchBucketException.class, e);
    }

    @Test
    void listedBucketsAreSortedAndHaveCreationDates() {
        NODE.s3().createBucket(b -> b.bucket("list-b"));
        NODE.s3().createBucket(b -> b.bucket("list-a"));
        List<Bucket> buckets = NODE.s3().listBuckets().buckets();
        List<String> names = buckets.stream().map(Bucket::name).toList();
        assertEquals(names.stream().sorted().toList(), names);
        assertTrue(buckets.stream().allMatch(b -> b.creationDate() != null));
    }

    @Test
    void deleteNonEmptyBucketIsRefused() {
        NODE.s3().createBucket(b -> b.bucket("bucket-full"));
        NODE.s3().putObject(p -> p.bucket("bucket-full").key("k"), RequestBody.fromString("x"));
        assertS3Error(409, "BucketNotEmpty", () -> NODE.s3().deleteBucket(d -> d.bucket("bucket-full")));
        assertEquals(200, NODE.s3().headBucket(h -> h.bucket("bucket-full")).sdkHttpResponse().statusCode());

        NODE.s3().deleteObject(d -> d.bucket("bucket-full").key("k"));
        NODE.s3().deleteBucket(d -> d.bucket("bucket-full"));
        assertS3Error(404, null, () -> NODE.s3().headBucket(h -> h.bucket("bucket-full")));
    }

    /**
     * As S3 in us-east-1 (the node's default region): creating one's own bucket again succeeds;
     * another key's bucket is BucketAlreadyExists.
     */
    @Test
    void createTwiceSucceedsForTheOwnerAndIsAlreadyExistsForAnother() throws Exception {
        NODE.s3().createBucket(b -> b.bucket("bucket-twice"));
        assertEquals(200, NODE.s3().createBucket(b -> b.bucket("bucket-twice")).sdkHttpResponse().statusCode());
        java.net.http.HttpResponse<String> made = AdminApi.send(NODE.node(), "POST", "/api/keys",
                "{\"description\":\"another owner\",\"admin\":true}", Node.ACCESS_KEY, Node.SECRET_KEY);
        assertEquals(201, made.statusCode(), made.body());
        com.fasterxml.jackson.databind.JsonNode other = new com.fasterxml.jackson.databind.ObjectMapper().readTree(made.body());
        try (software.amazon.awssdk.services.s3.S3Client s3 = ItSupport.client(NODE.node(), other.path("accessKeyId").asText(),
                other.path("secretAccessKey").asText())) {
            AwsServiceException e = assertS3Error(409, "BucketAlreadyExists", () -> s3.createBucket(b -> b.bucket("bucket-twice")));
            assertInstanceOf(software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException.class, e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"UpperCase", "ab", "192.168.1.1", "a..b", "-leading-dash", "trailing-dash-",
            "xn--punycode", "under_score", "a-very-long-bucket-name-that-goes-past-the-sixty-three-char-limit"})
    void invalidNamesAreRejected(String name) {
        // The SDK refuses these names before sending; sign and send the request by hand.
        HttpResponse<String> r = S3Asserts.signedSend(NODE.node(), "PUT", "/" + name, new byte[0]);
        assertEquals(400, r.statusCode(), r::body);
        assertEquals("InvalidBucketName", S3Asserts.errorCode(r.body()));
        assertFalse(NODE.s3().listBuckets().buckets().stream().anyMatch(b -> b.name().equals(name)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "a.b-c.d9", "0123456789", "sixty-three-chars-is-the-longest-name-allowed-for-an-s3-bucket9"})
    void validEdgeNamesAreAccepted(String name) {
        assertEquals(63, "sixty-three-chars-is-the-longest-name-allowed-for-an-s3-bucket9".length());
        NODE.s3().createBucket(b -> b.bucket(name));
        assertEquals(200, NODE.s3().headBucket(h -> h.bucket(name)).sdkHttpResponse().statusCode());
    }

    @Test
    void locationOfUsEast1IsEmpty() {
        NODE.s3().createBucket(b -> b.bucket("bucket-where"));
        var r = NODE.s3().getBucketLocation(l -> l.bucket("bucket-where"));
        assertEquals(200, r.sdkHttpResponse().statusCode());
        String loc = r.locationConstraintAsString();
        assertTrue(loc == null || loc.isEmpty(), "us-east-1 is an empty LocationConstraint, got " + loc);
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().getBucketLocation(l -> l.bucket("no-such-where")));
    }

    @Test
    void operationsOnMissingBucketAreNoSuchBucket() {
        String b = "bucket-never-made";
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().listObjectsV2(l -> l.bucket(b)));
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().listObjects(l -> l.bucket(b)));
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().putObject(p -> p.bucket(b).key("k"), RequestBody.fromString("x")));
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().getObject(g -> g.bucket(b).key("k")));
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().deleteObject(d -> d.bucket(b).key("k")));
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().deleteBucket(d -> d.bucket(b)));
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().createMultipartUpload(c -> c.bucket(b).key("k")));
        assertS3Error(404, "NoSuchBucket", () -> NODE.s3().listMultipartUploads(l -> l.bucket(b)));
    }

    @Test
    void aQuotaRefusesWritesThatWouldPassItWithS3sError() throws Exception {
        NODE.s3().createBucket(b -> b.bucket("quota"));
        var set = AdminApi.send(NODE.node(), "PUT", "/api/buckets/quota/quota", "{\"maxBytes\":1000,\"maxObjects\":2}",
                Node.ACCESS_KEY, Node.SECRET_KEY);
        assertEquals(200, set.statusCode(), set.body());
        var small = software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[100]);
        NODE.s3().putObject(p -> p.bucket("quota").key("a"), small);
        NODE.s3().putObject(p -> p.bucket("quota").key("b"), small);
        assertS3Error(403, "QuotaExceeded", () -> NODE.s3().putObject(p -> p.bucket("quota").key("c"), small));
        assertS3Error(403, "QuotaExceeded", () -> NODE.s3().putObject(p -> p.bucket("quota").key("a"),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[2000])));
        NODE.s3().putObject(p -> p.bucket("quota").key("a"), software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[50]));
        // A multipart upload is checked when it completes, in log order.
        String upload = NODE.s3().createMultipartUpload(c -> c.bucket("quota").key("c")).uploadId();
        String etag = NODE.s3().uploadPart(u -> u.bucket("quota").key("c").uploadId(upload).partNumber(1), small).eTag();
        assertS3Error(403, "QuotaExceeded", () -> NODE.s3().completeMultipartUpload(c -> c.bucket("quota").key("c").uploadId(upload)
                .multipartUpload(m -> m.parts(pt -> pt.partNumber(1).eTag(etag)))));
        assertEquals(List.of("a", "b"), NODE.s3().listObjectsV2(l -> l.bucket("quota")).contents().stream()
                .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList());
        var stats = AdminApi.get(NODE.node(), "/api/buckets/quota");
        assertEquals(2, stats.path("objects").asInt());
        assertEquals(150, stats.path("bytes").asInt());
        // Lifted: the write goes through.
        assertEquals(200, AdminApi.send(NODE.node(), "PUT", "/api/buckets/quota/quota", "{}", Node.ACCESS_KEY, Node.SECRET_KEY)
                .statusCode());
        NODE.s3().putObject(p -> p.bucket("quota").key("c"), small);
    }

    /** Parts count against the byte quota from their upload on, and give their room back when the upload is aborted. */
    @Test
    void multipartPartsCountAgainstTheQuotaBeforeTheUploadCompletes() throws Exception {
        NODE.s3().createBucket(b -> b.bucket("quota-parts"));
        assertEquals(200, AdminApi.send(NODE.node(), "PUT", "/api/buckets/quota-parts/quota", "{\"maxBytes\":1000}",
                Node.ACCESS_KEY, Node.SECRET_KEY).statusCode());
        var part = software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[400]);
        String first = NODE.s3().createMultipartUpload(c -> c.bucket("quota-parts").key("never-completed")).uploadId();
        NODE.s3().uploadPart(u -> u.bucket("quota-parts").key("never-completed").uploadId(first).partNumber(1), part);
        NODE.s3().uploadPart(u -> u.bucket("quota-parts").key("never-completed").uploadId(first).partNumber(2), part);
        String second = NODE.s3().createMultipartUpload(c -> c.bucket("quota-parts").key("another")).uploadId();
        assertS3Error(403, "QuotaExceeded", () -> NODE.s3().uploadPart(u -> u.bucket("quota-parts").key("another").uploadId(second)
                .partNumber(1), part));
        // Pending parts hold their room against plain PUTs too.
        assertS3Error(403, "QuotaExceeded", () -> NODE.s3().putObject(p -> p.bucket("quota-parts").key("plain"), part));
        NODE.s3().abortMultipartUpload(a -> a.bucket("quota-parts").key("never-completed").uploadId(first));
        String etag = NODE.s3().uploadPart(u -> u.bucket("quota-parts").key("another").uploadId(second).partNumber(1), part).eTag();
        NODE.s3().completeMultipartUpload(c -> c.bucket("quota-parts").key("another").uploadId(second)
                .multipartUpload(m -> m.parts(pt -> pt.partNumber(1).eTag(etag))));
        NODE.s3().putObject(p -> p.bucket("quota-parts").key("plain"), part);
        assertEquals(800, AdminApi.get(NODE.node(), "/api/buckets/quota-parts").path("bytes").asInt());
    }
}
