package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.blockcloset.gateway.it.S3Asserts.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

/** GetObject and HeadObject: byte ranges (across block boundaries) and conditional requests. */
class ReadIT {
    private static final String BUCKET = "reads";
    private static final int MIB = 1024 * 1024;
    private static final byte[] DATA = randomBytes(2 * MIB + MIB / 2 + 123, 42); // three 1 MiB blocks
    private static final String KEY = "ranged.bin";

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();
    static String etag;
    static Instant lastModified;

    @BeforeAll
    static void start() throws Exception {
        NODE.s3().createBucket(b -> b.bucket(BUCKET));
        etag = NODE.s3().putObject(p -> p.bucket(BUCKET).key(KEY), RequestBody.fromBytes(DATA)).eTag();
        lastModified = NODE.s3().headObject(h -> h.bucket(BUCKET).key(KEY)).lastModified();
    }

    private static void assertRange(String range, long first, long last) {
        ResponseBytes<GetObjectResponse> r = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(KEY).range(range));
        assertEquals(206, r.response().sdkHttpResponse().statusCode(), range);
        assertEquals("bytes " + first + "-" + last + "/" + DATA.length, r.response().contentRange(), range);
        assertEquals(last - first + 1, r.response().contentLength(), range);
        assertArrayEquals(Arrays.copyOfRange(DATA, (int) first, (int) last + 1), r.asByteArray(), range);
        assertEquals(etag, r.response().eTag());
    }

    @Test
    void firstBytes() {
        assertRange("bytes=0-9", 0, 9);
        assertRange("bytes=0-0", 0, 0);
    }

    @Test
    void openEndedRange() {
        assertRange("bytes=10-", 10, DATA.length - 1);
    }

    @Test
    void suffixRange() {
        assertRange("bytes=-5", DATA.length - 5, DATA.length - 1);
        assertRange("bytes=-" + (DATA.length + 100), 0, DATA.length - 1); // suffix longer than the object
    }

    @Test
    void rangeAcrossBlockBoundaries() {
        assertRange("bytes=" + (MIB - 100) + "-" + (2 * MIB + 99), MIB - 100, 2 * MIB + 99); // spans 1 MiB + 200
        assertRange("bytes=" + MIB + "-" + (2 * MIB - 1), MIB, 2 * MIB - 1); // exactly the second block
        assertRange("bytes=" + (MIB - 1) + "-" + MIB, MIB - 1, MIB); // one byte each side
    }

    @Test
    void endPastTheObjectIsClamped() {
        assertRange("bytes=" + (DATA.length - 3) + "-" + (DATA.length + 1000), DATA.length - 3, DATA.length - 1);
    }

    @Test
    void unsatisfiableRangeIs416() {
        for (String range : new String[] {"bytes=" + DATA.length + "-" + (DATA.length + 10), "bytes=" + DATA.length + "-",
                "bytes=99999999-"}) {
            AwsServiceException e = assertS3Error(416, "InvalidRange",
                    () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key(KEY).range(range)));
            assertEquals("bytes */" + DATA.length,
                    e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Content-Range").orElse(null), range);
        }
    }

    @Test
    void wholeObjectWithoutRange() {
        ResponseBytes<GetObjectResponse> r = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(KEY));
        assertEquals(200, r.response().sdkHttpResponse().statusCode());
        assertEquals("bytes", r.response().acceptRanges());
        assertArrayEquals(DATA, r.asByteArray());
    }

    /** Status of a GET and of a HEAD with the same conditions: 200, or the error's status. */
    private static void assertStatus(int expected, Consumer<GetObjectRequest.Builder> get,
                                     Consumer<HeadObjectRequest.Builder> head) {
        assertEquals(expected, status(() -> NODE.s3().getObjectAsBytes(g -> get.accept(g.bucket(BUCKET).key(KEY)))
                .response().sdkHttpResponse().statusCode()), "GET");
        assertEquals(expected, status(() -> NODE.s3().headObject(h -> head.accept(h.bucket(BUCKET).key(KEY)))
                .sdkHttpResponse().statusCode()), "HEAD");
    }

    private static int status(java.util.function.IntSupplier call) {
        try {
            return call.getAsInt();
        } catch (AwsServiceException e) {
            return e.statusCode(); // HEAD errors have no body, so only the status is comparable
        }
    }

    @Test
    void ifMatch() {
        assertStatus(200, g -> g.ifMatch(etag), h -> h.ifMatch(etag));
        assertStatus(200, g -> g.ifMatch("*"), h -> h.ifMatch("*"));
        assertStatus(200, g -> g.ifMatch("\"0000\", " + etag), h -> h.ifMatch("\"0000\", " + etag));
        assertStatus(412, g -> g.ifMatch("\"00000000000000000000000000000000\""),
                h -> h.ifMatch("\"00000000000000000000000000000000\""));
        assertS3Error(412, "PreconditionFailed", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key(KEY).ifMatch("\"nope\"")));
    }

    @Test
    void ifNoneMatch() {
        assertStatus(304, g -> g.ifNoneMatch(etag), h -> h.ifNoneMatch(etag));
        assertStatus(304, g -> g.ifNoneMatch("*"), h -> h.ifNoneMatch("*"));
        assertStatus(200, g -> g.ifNoneMatch("\"other\""), h -> h.ifNoneMatch("\"other\""));
    }

    @Test
    void ifModifiedSince() {
        Instant before = lastModified.minus(Duration.ofHours(1));
        Instant after = lastModified.plus(Duration.ofHours(1));
        assertStatus(200, g -> g.ifModifiedSince(before), h -> h.ifModifiedSince(before));
        assertStatus(304, g -> g.ifModifiedSince(lastModified), h -> h.ifModifiedSince(lastModified));
        assertStatus(304, g -> g.ifModifiedSince(after), h -> h.ifModifiedSince(after));
    }

    @Test
    void ifUnmodifiedSince() {
        Instant before = lastModified.minus(Duration.ofHours(1));
        Instant after = lastModified.plus(Duration.ofHours(1));
        assertStatus(412, g -> g.ifUnmodifiedSince(before), h -> h.ifUnmodifiedSince(before));
        assertStatus(200, g -> g.ifUnmodifiedSince(lastModified), h -> h.ifUnmodifiedSince(lastModified));
        assertStatus(200, g -> g.ifUnmodifiedSince(after), h -> h.ifUnmodifiedSince(after));
    }

    @Test
    void combinationsFollowS3Precedence() {
        Instant before = lastModified.minus(Duration.ofHours(1));
        // If-Match true wins over If-Unmodified-Since false.
        assertStatus(200, g -> g.ifMatch(etag).ifUnmodifiedSince(before), h -> h.ifMatch(etag).ifUnmodifiedSince(before));
        // If-None-Match false (it matches) and If-Modified-Since true: 304.
        assertStatus(304, g -> g.ifNoneMatch(etag).ifModifiedSince(before), h -> h.ifNoneMatch(etag).ifModifiedSince(before));
        // If-None-Match true (no match) wins over If-Modified-Since false.
        assertStatus(200, g -> g.ifNoneMatch("\"other\"").ifModifiedSince(lastModified),
                h -> h.ifNoneMatch("\"other\"").ifModifiedSince(lastModified));
        // If-Match false fails before anything else.
        assertStatus(412, g -> g.ifMatch("\"nope\"").ifNoneMatch("\"other\""), h -> h.ifMatch("\"nope\"").ifNoneMatch("\"other\""));
    }

    @Test
    void conditionalRangeRead() {
        ResponseBytes<GetObjectResponse> r = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(KEY).ifMatch(etag)
                .range("bytes=100-199"));
        assertEquals(206, r.response().sdkHttpResponse().statusCode());
        assertArrayEquals(Arrays.copyOfRange(DATA, 100, 200), r.asByteArray());
    }

    @Test
    void conditionalWritesCreateOnlyOnceAndReplaceOnlyTheExpectedVersion() {
        String key = "conditional/lock";
        String first = NODE.s3().putObject(p -> p.bucket(BUCKET).key(key).ifNoneMatch("*"),
                RequestBody.fromString("holder-1")).eTag();
        assertS3Error(412, "PreconditionFailed", () -> NODE.s3().putObject(p -> p.bucket(BUCKET).key(key).ifNoneMatch("*"),
                RequestBody.fromString("holder-2")));
        assertS3Error(412, "PreconditionFailed", () -> NODE.s3().putObject(p -> p.bucket(BUCKET).key(key)
                .ifMatch("\"0123456789abcdef0123456789abcdef\""), RequestBody.fromString("holder-3")));
        assertEquals("holder-1", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asUtf8String());
        NODE.s3().putObject(p -> p.bucket(BUCKET).key(key).ifMatch(first), RequestBody.fromString("holder-4"));
        assertEquals("holder-4", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asUtf8String());
    }

    @Test
    void racingCreateOnlyWritesHaveExactlyOneWinner() throws Exception {
        String key = "conditional/race";
        int writers = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String body = "writer-" + i;
            results.add(pool.submit(() -> {
                go.await();
                try {
                    NODE.s3().putObject(p -> p.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString(body));
                    return 200;
                } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                    return e.statusCode();
                }
            }));
        }
        go.countDown();
        int winners = 0;
        for (var f : results) {
            int status = f.get();
            if (status == 200) {
                winners++;
            } else {
                assertEquals(412, status);
            }
        }
        pool.shutdown();
        assertEquals(1, winners, "exactly one create-only write may win");
        org.junit.jupiter.api.Assertions.assertTrue(
                NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asUtf8String().startsWith("writer-"));
    }
}
