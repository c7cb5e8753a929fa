package org.blockcloset.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Features not implemented yet are refused with S3's error, never silently ignored (issue 8): a
 * backup tool that asks for object lock where the bucket has none, a public ACL or encryption must
 * learn it did not get them, and nothing is stored.
 */
class RefusedFeaturesIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();
    private static final String BUCKET = "refused";
    static S3Client s3;

    @BeforeAll
    static void start() {
        s3 = S3Asserts.noRetries(NODE.node());
        s3.createBucket(b -> b.bucket(BUCKET));
        s3.putObject(p -> p.bucket(BUCKET).key("source"), RequestBody.fromString("source"));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static void refusedPut(String key, int status, String code, Consumer<PutObjectRequest.Builder> with) {
        S3Exception e = assertThrows(S3Exception.class, () -> s3.putObject(p -> with.accept(p.bucket(BUCKET).key(key)),
                RequestBody.fromString("must not be stored")));
        assertEquals(status, e.statusCode(), e.getMessage());
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
        assertTrue(s3.listObjectsV2(l -> l.bucket(BUCKET).prefix(key)).contents().isEmpty(), key + " was not stored");
    }

    @Test
    void objectLockHeadersAreRefusedOnABucketWithoutObjectLock() {
        refusedPut("locked", 400, "InvalidRequest", p -> p.objectLockMode(ObjectLockMode.COMPLIANCE)
                .objectLockRetainUntilDate(Instant.now().plusSeconds(86_400)));
        refusedPut("held", 400, "InvalidRequest", p -> p.objectLockLegalHoldStatus(ObjectLockLegalHoldStatus.ON));
        S3Exception e = assertThrows(S3Exception.class, () -> s3.createMultipartUpload(c -> c.bucket(BUCKET).key("locked-mpu")
                .objectLockMode(ObjectLockMode.GOVERNANCE).objectLockRetainUntilDate(Instant.now().plusSeconds(60))));
        assertEquals(400, e.statusCode());
        assertTrue(s3.listMultipartUploads(l -> l.bucket(BUCKET)).uploads().isEmpty(), "no upload was created");
    }

    @Test
    void aclGrantsUnservedCannedAclsAndEncryptionAreRefused() {
        refusedPut("exec", 501, "NotImplemented", p -> p.acl(ObjectCannedACL.AWS_EXEC_READ));
        refusedPut("granted", 501, "NotImplemented", p -> p.grantRead("uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""));
        refusedPut("encrypted", 501, "NotImplemented", p -> p.serverSideEncryption(ServerSideEncryption.AES256));
        // What every object already is stays accepted: a private ACL.
        s3.putObject(p -> p.bucket(BUCKET).key("private").acl(ObjectCannedACL.PRIVATE), RequestBody.fromString("ok"));
        assertEquals("ok", s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("private")).asUtf8String());
    }
}
