package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/** Object and bucket tags through the AWS SDK: S3's operations, limits and errors, and tags on PUT and copy. */
class TaggingIT {
    private static final String BUCKET = "tags";

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    private static Map<String, String> tagsOf(String key) {
        return NODE.s3().getObjectTagging(g -> g.bucket(BUCKET).key(key)).tagSet().stream()
                .collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> a, TreeMap::new));
    }

    @Test
    void objectTagsOnPutOnTheirOwnAndOnCopy() {
        NODE.s3().createBucket(b -> b.bucket(BUCKET));
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("photo").tagging("project=attic&year=2025"), RequestBody.fromString("x"));
        assertEquals(Map.of("project", "attic", "year", "2025"), tagsOf("photo"));
        assertEquals(2, NODE.s3().headObject(h -> h.bucket(BUCKET).key("photo")).sdkHttpResponse()
                .firstMatchingHeader("x-amz-tagging-count").map(Integer::parseInt).orElse(0));
        assertEquals(2, NODE.s3().getObject(g -> g.bucket(BUCKET).key("photo")).response().tagCount());

        NODE.s3().putObjectTagging(p -> p.bucket(BUCKET).key("photo").tagging(t -> t.tagSet(Tag.builder().key("keep").value("yes").build())));
        assertEquals(Map.of("keep", "yes"), tagsOf("photo"));
        assertEquals("x", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key("photo")).asUtf8String(), "tags leave the data alone");

        NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("photo").destinationBucket(BUCKET).destinationKey("copied"));
        assertEquals(Map.of("keep", "yes"), tagsOf("copied"), "a copy keeps the source's tags by default");
        NODE.s3().copyObject(c -> c.sourceBucket(BUCKET).sourceKey("photo").destinationBucket(BUCKET).destinationKey("replaced")
                .taggingDirective(TaggingDirective.REPLACE).tagging("new=1"));
        assertEquals(Map.of("new", "1"), tagsOf("replaced"));

        NODE.s3().deleteObjectTagging(d -> d.bucket(BUCKET).key("photo"));
        assertEquals(Map.of(), tagsOf("photo"));
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("replaced"), RequestBody.fromString("over"));
        assertEquals(Map.of(), tagsOf("replaced"), "an overwrite without tags has none");
    }

    @Test
    void s3sLimitsAndErrors() {
        NODE.s3().createBucket(b -> b.bucket("tag-limits"));
        String eleven = IntStream.range(0, 11).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining("&"));
        assertS3Error(400, "InvalidTag", () -> NODE.s3().putObject(p -> p.bucket("tag-limits").key("many").tagging(eleven),
                RequestBody.fromString("x")));
        assertS3Error(400, "InvalidTag", () -> NODE.s3().putObject(p -> p.bucket("tag-limits").key("aws").tagging("aws:x=1"),
                RequestBody.fromString("x")));
        assertS3Error(400, "InvalidTag", () -> NODE.s3().putObject(p -> p.bucket("tag-limits").key("long")
                .tagging("k=" + "v".repeat(257)), RequestBody.fromString("x")));
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObjectTagging(g -> g.bucket("tag-limits").key("missing")));
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().putObjectTagging(p -> p.bucket("tag-limits").key("missing")
                .tagging(t -> t.tagSet(List.of()))));
        assertTrue(NODE.s3().listObjectsV2(l -> l.bucket("tag-limits")).contents().isEmpty(), "nothing stored by refused puts");
    }

    @Test
    void bucketTags() {
        NODE.s3().createBucket(b -> b.bucket("tag-bucket"));
        assertS3Error(404, "NoSuchTagSet", () -> NODE.s3().getBucketTagging(g -> g.bucket("tag-bucket")));
        NODE.s3().putBucketTagging(p -> p.bucket("tag-bucket").tagging(t -> t.tagSet(Tag.builder().key("owner").value("me").build())));
        assertEquals(List.of(Tag.builder().key("owner").value("me").build()),
                NODE.s3().getBucketTagging(g -> g.bucket("tag-bucket")).tagSet());
        NODE.s3().deleteBucketTagging(d -> d.bucket("tag-bucket"));
        assertS3Error(404, "NoSuchTagSet", () -> NODE.s3().getBucketTagging(g -> g.bucket("tag-bucket")));
    }
}
