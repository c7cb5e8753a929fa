package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/** Object lock through the AWS SDK: locked buckets, default and per-object retention, legal hold, bypass. */
class ObjectLockIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    private static S3Client s3() {
        return NODE.s3();
    }

    @Test
    void complianceRetentionRefusesEveryDeleteOfTheVersion() {
        s3().createBucket(b -> b.bucket("vault").objectLockEnabledForBucket(true));
        assertEquals(BucketVersioningStatus.ENABLED, s3().getBucketVersioning(g -> g.bucket("vault")).status(),
                "a locked bucket is versioned");
        assertS3Error(409, "InvalidBucketState", () -> s3().putBucketVersioning(p -> p.bucket("vault")
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED))));
        s3().putObjectLockConfiguration(p -> p.bucket("vault").objectLockConfiguration(c -> c.objectLockEnabled("Enabled")
                .rule(r -> r.defaultRetention(d -> d.mode(ObjectLockRetentionMode.COMPLIANCE).days(1)))));
        assertEquals(1, s3().getObjectLockConfiguration(g -> g.bucket("vault")).objectLockConfiguration().rule()
                .defaultRetention().days());

        PutObjectResponse put = s3().putObject(p -> p.bucket("vault").key("backup"), RequestBody.fromString("snapshot"));
        var head = s3().headObject(h -> h.bucket("vault").key("backup"));
        assertEquals(ObjectLockMode.COMPLIANCE, head.objectLockMode(), "the default retention applies");
        assertNotNull(head.objectLockRetainUntilDate());
        assertS3Error(403, "AccessDenied", () -> s3().deleteObject(d -> d.bucket("vault").key("backup").versionId(put.versionId())));
        assertS3Error(403, "AccessDenied", () -> s3().deleteObject(d -> d.bucket("vault").key("backup").versionId(put.versionId())
                .bypassGovernanceRetention(true)));
        assertS3Error(403, "AccessDenied", () -> s3().putObjectRetention(p -> p.bucket("vault").key("backup").versionId(put.versionId())
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(Instant.now().plus(2, ChronoUnit.DAYS)))));
        // (compliance cannot be turned into governance)

        // A plain delete only adds a marker: the locked version stays readable by id.
        s3().deleteObject(d -> d.bucket("vault").key("backup"));
        assertEquals("snapshot", s3().getObjectAsBytes(g -> g.bucket("vault").key("backup").versionId(put.versionId())).asUtf8String());
        // Extending compliance retention is allowed.
        Instant later = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        s3().putObjectRetention(p -> p.bucket("vault").key("backup").versionId(put.versionId())
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(later)));
        assertEquals(later, s3().getObjectRetention(g -> g.bucket("vault").key("backup").versionId(put.versionId()))
                .retention().retainUntilDate());
    }

    @Test
    void governanceYieldsToTheBypassAndLegalHoldToNothing() {
        s3().createBucket(b -> b.bucket("gov").objectLockEnabledForBucket(true));
        Instant until = Instant.now().plus(1, ChronoUnit.DAYS);
        PutObjectResponse put = s3().putObject(p -> p.bucket("gov").key("k").objectLockMode(ObjectLockMode.GOVERNANCE)
                .objectLockRetainUntilDate(until).objectLockLegalHoldStatus(ObjectLockLegalHoldStatus.ON), RequestBody.fromString("x"));
        assertEquals(ObjectLockLegalHoldStatus.ON, s3().getObjectLegalHold(g -> g.bucket("gov").key("k")).legalHold().status());
        assertS3Error(403, "AccessDenied", () -> s3().deleteObject(d -> d.bucket("gov").key("k").versionId(put.versionId())
                .bypassGovernanceRetention(true))); // a legal hold wins over the bypass
        s3().putObjectLegalHold(p -> p.bucket("gov").key("k").versionId(put.versionId()).legalHold(h -> h.status(ObjectLockLegalHoldStatus.OFF)));
        assertS3Error(403, "AccessDenied", () -> s3().deleteObject(d -> d.bucket("gov").key("k").versionId(put.versionId())));
        s3().deleteObject(d -> d.bucket("gov").key("k").versionId(put.versionId()).bypassGovernanceRetention(true));
        assertTrue(s3().listObjectVersions(l -> l.bucket("gov")).versions().isEmpty(), "governance yields to an owner's bypass");

        // A multipart upload carries its lock to the object.
        String id = s3().createMultipartUpload(c -> c.bucket("gov").key("mpu").objectLockLegalHoldStatus(ObjectLockLegalHoldStatus.ON)
                .tagging("kind=backup")).uploadId();
        String etag = s3().uploadPart(u -> u.bucket("gov").key("mpu").uploadId(id).partNumber(1), RequestBody.fromString("part")).eTag();
        s3().completeMultipartUpload(c -> c.bucket("gov").key("mpu").uploadId(id)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag))));
        assertEquals(ObjectLockLegalHoldStatus.ON, s3().headObject(h -> h.bucket("gov").key("mpu")).objectLockLegalHoldStatus());
        assertEquals("kind", s3().getObjectTagging(g -> g.bucket("gov").key("mpu")).tagSet().get(0).key());
    }

    @Test
    void onlyTheBucketsOwnerSetsALockOnAWrite() {
        s3().createBucket(b -> b.bucket("dropbox-locked").objectLockEnabledForBucket(true)
                .acl(software.amazon.awssdk.services.s3.model.BucketCannedACL.PUBLIC_READ_WRITE));
        try (S3Client anonymous = S3Client.builder().endpointOverride(NODE.node().endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.retryPolicy(software.amazon.awssdk.core.retry.RetryPolicy.none())).build()) {
            assertS3Error(403, "AccessDenied", () -> anonymous.putObject(p -> p.bucket("dropbox-locked").key("forever")
                    .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(Instant.parse("9999-01-01T00:00:00Z")),
                    RequestBody.fromString("x")));
            anonymous.putObject(p -> p.bucket("dropbox-locked").key("plain"), RequestBody.fromString("x"));
        }
        assertEquals(null, s3().headObject(h -> h.bucket("dropbox-locked").key("plain")).objectLockMode(),
                "an anonymous upload gets no retention it did not ask for");
        assertTrue(s3().listObjectVersions(l -> l.bucket("dropbox-locked").prefix("forever")).versions().isEmpty());
    }

    @Test
    void lockRequestsOnAnUnlockedBucketAreRefused() {
        s3().createBucket(b -> b.bucket("unlocked"));
        assertS3Error(404, "ObjectLockConfigurationNotFoundError", () -> s3().getObjectLockConfiguration(g -> g.bucket("unlocked")));
        assertS3Error(409, "InvalidBucketState", () -> s3().putObjectLockConfiguration(p -> p.bucket("unlocked")
                .objectLockConfiguration(c -> c.objectLockEnabled("Enabled"))));
        s3().putObject(p -> p.bucket("unlocked").key("k"), RequestBody.fromString("x"));
        assertS3Error(400, "InvalidRequest", () -> s3().putObjectLegalHold(p -> p.bucket("unlocked").key("k")
                .legalHold(h -> h.status(ObjectLockLegalHoldStatus.ON))));
    }
}
