package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

/**
 * Lifecycle rules on an accelerated clock: a lifecycle "day" lasts two seconds here and the rules
 * are evaluated twice a second, so each test watches rules act within seconds.
 */
class LifecycleIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension(Map.of("BLOCKCLOSET_LIFECYCLE_DAY", "2 seconds",
            "BLOCKCLOSET_LIFECYCLE_INTERVAL", "500 milliseconds"));

    private static S3Client s3() {
        return NODE.s3();
    }

    /** Polls the condition every 100 ms for at most 60 s. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(deadline), "timed out waiting until " + what);
            Thread.sleep(100);
        }
    }

    private static void rules(String bucket, LifecycleRule... rules) {
        s3().putBucketLifecycleConfiguration(p -> p.bucket(bucket).lifecycleConfiguration(c -> c.rules(rules)));
    }

    private static List<String> keys(String bucket) {
        return s3().listObjectsV2(l -> l.bucket(bucket)).contents().stream().map(o -> o.key()).toList();
    }

    @Test
    void expirationByAgeTakesOnlyWhatTheFilterNames() throws Exception {
        s3().createBucket(b -> b.bucket("expiring"));
        assertS3Error(404, "NoSuchLifecycleConfiguration", () -> s3().getBucketLifecycleConfiguration(g -> g.bucket("expiring")));
        rules("expiring", LifecycleRule.builder().id("tmp-after-a-day").status(ExpirationStatus.ENABLED)
                .filter(f -> f.prefix("tmp/")).expiration(e -> e.days(1)).build());
        assertEquals("tmp/", s3().getBucketLifecycleConfiguration(g -> g.bucket("expiring")).rules().get(0).filter().prefix());
        s3().putObject(p -> p.bucket("expiring").key("tmp/scratch"), RequestBody.fromString("x"));
        s3().putObject(p -> p.bucket("expiring").key("keep/photo"), RequestBody.fromString("y"));
        String uploadId = s3().createMultipartUpload(c -> c.bucket("expiring").key("tmp/stale")).uploadId();
        rules("expiring", LifecycleRule.builder().id("tmp-after-a-day").status(ExpirationStatus.ENABLED)
                        .filter(f -> f.prefix("tmp/")).expiration(e -> e.days(1)).build(),
                LifecycleRule.builder().id("stale-uploads").status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                        .abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(1)).build());

        await("tmp/scratch expires", () -> !keys("expiring").contains("tmp/scratch"));
        assertEquals(List.of("keep/photo"), keys("expiring"), "only what the rule's prefix names expires");
        await("the stale upload is aborted", () -> s3().listMultipartUploads(l -> l.bucket("expiring")).uploads().isEmpty());
        assertS3Error(404, "NoSuchUpload", () -> s3().listParts(l -> l.bucket("expiring").key("tmp/stale").uploadId(uploadId)));

        s3().deleteBucketLifecycle(d -> d.bucket("expiring"));
        assertS3Error(404, "NoSuchLifecycleConfiguration", () -> s3().getBucketLifecycleConfiguration(g -> g.bucket("expiring")));
        assertS3Error(501, "NotImplemented", () -> rules("expiring", LifecycleRule.builder().id("cold").status(ExpirationStatus.ENABLED)
                .filter(f -> f.prefix("")).transitions(t -> t.days(30).storageClass(TransitionStorageClass.GLACIER)).build()));
    }

    @Test
    void noncurrentVersionsAndLoneDeleteMarkersArePruned() throws Exception {
        s3().createBucket(b -> b.bucket("history"));
        s3().putBucketVersioning(p -> p.bucket("history").versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        PutObjectResponse first = s3().putObject(p -> p.bucket("history").key("doc"), RequestBody.fromString("1"));
        PutObjectResponse second = s3().putObject(p -> p.bucket("history").key("doc"), RequestBody.fromString("2"));
        rules("history", LifecycleRule.builder().id("prune").status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                        .noncurrentVersionExpiration(n -> n.noncurrentDays(1)).build(),
                LifecycleRule.builder().id("markers").status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                        .expiration(e -> e.expiredObjectDeleteMarker(true)).build());

        await("the replaced version is pruned", () -> s3().listObjectVersions(l -> l.bucket("history")).versions().stream()
                .noneMatch(v -> v.versionId().equals(first.versionId())));
        assertEquals("2", s3().getObjectAsBytes(g -> g.bucket("history").key("doc")).asUtf8String(), "the current version stays");
        assertEquals(second.versionId(), s3().headObject(h -> h.bucket("history").key("doc")).versionId());

        s3().deleteObject(d -> d.bucket("history").key("doc"));
        await("the deleted key leaves nothing behind", () -> {
            var all = s3().listObjectVersions(l -> l.bucket("history"));
            return all.versions().isEmpty() && all.deleteMarkers().isEmpty();
        });
        s3().deleteBucket(d -> d.bucket("history"));
    }

    @Test
    void objectLockOutranksLifecycle() throws Exception {
        s3().createBucket(b -> b.bucket("locked-history").objectLockEnabledForBucket(true));
        Instant until = Instant.now().plus(1, ChronoUnit.DAYS);
        PutObjectResponse retained = s3().putObject(p -> p.bucket("locked-history").key("a-retained")
                .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(until), RequestBody.fromString("r1"));
        PutObjectResponse free = s3().putObject(p -> p.bucket("locked-history").key("b-free"), RequestBody.fromString("f1"));
        s3().putObject(p -> p.bucket("locked-history").key("a-retained"), RequestBody.fromString("r2"));
        s3().putObject(p -> p.bucket("locked-history").key("b-free"), RequestBody.fromString("f2"));
        rules("locked-history", LifecycleRule.builder().id("prune").status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                .noncurrentVersionExpiration(n -> n.noncurrentDays(1)).build());

        await("the unretained old version is pruned", () -> s3().listObjectVersions(l -> l.bucket("locked-history")).versions().stream()
                .noneMatch(v -> v.versionId().equals(free.versionId())));
        assertEquals("r1", s3().getObjectAsBytes(g -> g.bucket("locked-history").key("a-retained").versionId(retained.versionId()))
                .asUtf8String(), "a retained version outlives every lifecycle pass that pruned its neighbour");
    }
}
