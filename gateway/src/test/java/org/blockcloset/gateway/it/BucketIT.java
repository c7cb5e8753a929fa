package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/** Bucket operations: create, list, head, delete, naming rules, location, missing buckets. */
class BucketIT {
    @TempDir
    static Path dir;
    static Node node;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        node = Node.start(dir.resolve("node"));
        s3 = node.client();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        node.close();
    }

    @Test
    void createListHeadDelete() {
        s3.createBucket(b -> b.bucket("bucket-life"));
        List<String> names = s3.listBuckets().buckets().stream().map(Bucket::name).toList();
        assertTrue(names.contains("bucket-life"), names::toString);
        assertEquals(200, s3.headBucket(h -> h.bucket("bucket-life")).sdkHttpResponse().statusCode());

        s3.deleteBucket(d -> d.bucket("bucket-life"));
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("bucket-life")));
        AwsServiceException e = assertS3Error(404, null, () -> s3.headBucket(h -> h.bucket("bucket-life")));
        assertInstanceOf(NoSuchBucketException.class, e);
    }

    @Test
    void listedBucketsAreSortedAndHaveCreationDates() {
        s3.createBucket(b -> b.bucket("list-b"));
        s3.createBucket(b -> b.bucket("list-a"));
        List<Bucket> buckets = s3.listBuckets().buckets();
        List<String> names = buckets.stream().map(Bucket::name).toList();
        assertEquals(names.stream().sorted().toList(), names);
        assertTrue(buckets.stream().allMatch(b -> b.creationDate() != null));
    }

    @Test
    void deleteNonEmptyBucketIsRefused() {
        s3.createBucket(b -> b.bucket("bucket-full"));
        s3.putObject(p -> p.bucket("bucket-full").key("k"), RequestBody.fromString("x"));
        assertS3Error(409, "BucketNotEmpty", () -> s3.deleteBucket(d -> d.bucket("bucket-full")));
        assertEquals(200, s3.headBucket(h -> h.bucket("bucket-full")).sdkHttpResponse().statusCode());

        s3.deleteObject(d -> d.bucket("bucket-full").key("k"));
        s3.deleteBucket(d -> d.bucket("bucket-full"));
        assertS3Error(404, null, () -> s3.headBucket(h -> h.bucket("bucket-full")));
    }

    @Test
    void createTwiceIsAlreadyOwnedByYou() {
        s3.createBucket(b -> b.bucket("bucket-twice"));
        AwsServiceException e = assertS3Error(409, "BucketAlreadyOwnedByYou",
                () -> s3.createBucket(b -> b.bucket("bucket-twice")));
        assertInstanceOf(BucketAlreadyOwnedByYouException.class, e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UpperCase", "ab", "192.168.1.1", "a..b", "-leading-dash", "trailing-dash-",
            "xn--punycode", "under_score", "a-very-long-bucket-name-that-goes-past-the-sixty-three-char-limit"})
    void invalidNamesAreRejected(String name) {
        // The SDK refuses these names before sending; sign and send the request by hand.
        HttpResponse<String> r = S3Asserts.signedSend(node, "PUT", "/" + name, new byte[0]);
        assertEquals(400, r.statusCode(), r::body);
        assertEquals("InvalidBucketName", S3Asserts.errorCode(r.body()));
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(name)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "a.b-c.d9", "0123456789", "sixty-three-chars-is-the-longest-name-allowed-for-an-s3-bucket9"})
    void validEdgeNamesAreAccepted(String name) {
        assertEquals(63, "sixty-three-chars-is-the-longest-name-allowed-for-an-s3-bucket9".length());
        s3.createBucket(b -> b.bucket(name));
        assertEquals(200, s3.headBucket(h -> h.bucket(name)).sdkHttpResponse().statusCode());
    }

    @Test
    void locationOfUsEast1IsEmpty() {
        s3.createBucket(b -> b.bucket("bucket-where"));
        var r = s3.getBucketLocation(l -> l.bucket("bucket-where"));
        assertEquals(200, r.sdkHttpResponse().statusCode());
        String loc = r.locationConstraintAsString();
        assertTrue(loc == null || loc.isEmpty(), "us-east-1 is an empty LocationConstraint, got " + loc);
        assertS3Error(404, "NoSuchBucket", () -> s3.getBucketLocation(l -> l.bucket("no-such-where")));
    }

    @Test
    void operationsOnMissingBucketAreNoSuchBucket() {
        String b = "bucket-never-made";
        assertS3Error(404, "NoSuchBucket", () -> s3.listObjectsV2(l -> l.bucket(b)));
        assertS3Error(404, "NoSuchBucket", () -> s3.listObjects(l -> l.bucket(b)));
        assertS3Error(404, "NoSuchBucket", () -> s3.putObject(p -> p.bucket(b).key("k"), RequestBody.fromString("x")));
        assertS3Error(404, "NoSuchBucket", () -> s3.getObject(g -> g.bucket(b).key("k")));
        assertS3Error(404, "NoSuchBucket", () -> s3.deleteObject(d -> d.bucket(b).key("k")));
        assertS3Error(404, "NoSuchBucket", () -> s3.deleteBucket(d -> d.bucket(b)));
        assertS3Error(404, "NoSuchBucket", () -> s3.createMultipartUpload(c -> c.bucket(b).key("k")));
        assertS3Error(404, "NoSuchBucket", () -> s3.listMultipartUploads(l -> l.bucket(b)));
    }
}
