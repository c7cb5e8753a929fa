package org.blockcloset.gateway.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * A test for each of the main families of S3 handlers (buckets, objects, listing, copy, multipart,
 * versioning, tagging, ACLs, lifecycle, object lock, signatures), and the views read by a PUT before its body, through the real servlet and the
 * AWS SDK v2, on the in-memory ledger (S3Harness), in the unit-test phase; also CORS, POST form
 * uploads, multi-object delete, GetObjectAttributes and presigned URLs (with a plain HTTP client
 * where the SDK has no call for it). These say in seconds which handler broke; the ITs run the same
 * families on whole nodes.
 */
class S3HandlersTest {
    @TempDir
    static Path dir;
    static S3Harness harness;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        harness = new S3Harness(dir);
        s3 = harness.client();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        harness.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** An unsigned GET with the path sent byte for byte, as curl --path-as-is does: the status line and body. */
    private static String rawGet(String path) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket(harness.endpoint().getHost(), harness.endpoint().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + harness.endpoint().getAuthority()
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static S3Exception error(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(S3Exception.class, call);
    }

    @Test
    void buckets() {
        s3.createBucket(b -> b.bucket("family-buckets"));
        assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("family-buckets")));
        s3.headBucket(h -> h.bucket("family-buckets"));
        // Creating one's own bucket again succeeds in us-east-1, as in S3 (elsewhere BucketAlreadyOwnedByYou).
        assertEquals(200, s3.createBucket(b -> b.bucket("family-buckets")).sdkHttpResponse().statusCode());
        s3.putObject(p -> p.bucket("family-buckets").key("k"), RequestBody.fromString("x"));
        assertEquals("BucketNotEmpty", error(() -> s3.deleteBucket(d -> d.bucket("family-buckets"))).awsErrorDetails().errorCode());
        s3.deleteObject(d -> d.bucket("family-buckets").key("k"));
        s3.deleteBucket(d -> d.bucket("family-buckets"));
        assertEquals(404, error(() -> s3.headBucket(h -> h.bucket("family-buckets"))).statusCode());
    }

    @Test
    void objectsPutGetHeadRangeDelete() {
        s3.createBucket(b -> b.bucket("family-objects"));
        byte[] data = bytes(200_000, 1); // several 64 KiB blocks
        s3.putObject(p -> p.bucket("family-objects").key("a/b.bin").contentType("application/x-test")
                .metadata(java.util.Map.of("color", "blue")), RequestBody.fromBytes(data));
        var got = s3.getObjectAsBytes(g -> g.bucket("family-objects").key("a/b.bin"));
        assertArrayEquals(data, got.asByteArray());
        assertEquals("application/x-test", got.response().contentType());
        assertEquals("blue", got.response().metadata().get("color"));
        var head = s3.headObject(h -> h.bucket("family-objects").key("a/b.bin"));
        assertEquals(data.length, head.contentLength());
        String lastModified = head.sdkHttpResponse().firstMatchingHeader("Last-Modified").orElseThrow();
        assertTrue(lastModified.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), lastModified);
        byte[] range = s3.getObjectAsBytes(g -> g.bucket("family-objects").key("a/b.bin").range("bytes=65530-65545")).asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 65530, 65546), range);
        assertEquals("NoSuchKey", error(() -> s3.getObject(g -> g.bucket("family-objects").key("missing"))).awsErrorDetails().errorCode());
        s3.deleteObject(d -> d.bucket("family-objects").key("a/b.bin"));
        assertEquals(404, error(() -> s3.headObject(h -> h.bucket("family-objects").key("a/b.bin"))).statusCode());
    }

    /**
     * A PutObject reads the views twice before its body: the key that signed it and the bucket
     * (issue 18). Everything else it needs before the body (the key's permissions, the bucket's lock
     * and quota settings, how many copies and where) comes from those two reads or from the views'
     * membership snapshot, which a change of members or layout renews.
     */
    @Test
    void aPutReadsTheViewsTwiceBeforeItsBody() {
        s3.createBucket(b -> b.bucket("family-reads"));
        s3.putObject(p -> p.bucket("family-reads").key("first"), RequestBody.fromBytes(bytes(1000, 5)));
        s3.putObject(p -> p.bucket("family-reads").key("second"), RequestBody.fromBytes(bytes(1000, 6)));
        org.blockcloset.admin.RequestLog.Entry put = harness.requests.tail(0).stream()
                .filter(e -> e.what().equals("PUT /family-reads/second")).findFirst().orElseThrow();
        int before = 0;
        boolean resolved = false;
        for (org.blockcloset.ledger.trace.Trace.Stage s : put.stages()) {
            before += s.viewReads();
            if (s.name().equals("request resolved")) {
                resolved = true;
                break;
            }
        }
        assertTrue(resolved, "the PUT marks where its body starts: " + put.stages());
        assertEquals(2, before, "view reads before the body: " + put.stages());
    }

    @Test
    void listingWithPrefixDelimiterAndPages() {
        s3.createBucket(b -> b.bucket("family-list"));
        for (String k : List.of("x/1", "x/2", "x/y/3", "z")) {
            s3.putObject(p -> p.bucket("family-list").key(k), RequestBody.fromString(k));
        }
        var top = s3.listObjectsV2(l -> l.bucket("family-list").delimiter("/"));
        assertEquals(List.of("z"), top.contents().stream().map(o -> o.key()).toList());
        assertEquals(List.of("x/"), top.commonPrefixes().stream().map(p -> p.prefix()).toList());
        var page = s3.listObjectsV2(l -> l.bucket("family-list").prefix("x/").maxKeys(2));
        assertEquals(List.of("x/1", "x/2"), page.contents().stream().map(o -> o.key()).toList());
        assertTrue(page.isTruncated());
        var rest = s3.listObjectsV2(l -> l.bucket("family-list").prefix("x/").continuationToken(page.nextContinuationToken()));
        assertEquals(List.of("x/y/3"), rest.contents().stream().map(o -> o.key()).toList());
    }

    @Test
    void copyObject() {
        s3.createBucket(b -> b.bucket("family-copy"));
        byte[] data = bytes(70_000, 2);
        s3.putObject(p -> p.bucket("family-copy").key("src"), RequestBody.fromBytes(data));
        s3.copyObject(c -> c.sourceBucket("family-copy").sourceKey("src").destinationBucket("family-copy").destinationKey("dst"));
        assertArrayEquals(data, s3.getObjectAsBytes(g -> g.bucket("family-copy").key("dst")).asByteArray());
    }

    @Test
    void multipartUpload() {
        s3.createBucket(b -> b.bucket("family-multipart"));
        String id = s3.createMultipartUpload(c -> c.bucket("family-multipart").key("big")).uploadId();
        byte[] one = bytes(5 << 20, 3);
        byte[] two = bytes(1000, 4);
        String e1 = s3.uploadPart(u -> u.bucket("family-multipart").key("big").uploadId(id).partNumber(1), RequestBody.fromBytes(one)).eTag();
        String e2 = s3.uploadPart(u -> u.bucket("family-multipart").key("big").uploadId(id).partNumber(2), RequestBody.fromBytes(two)).eTag();
        assertEquals(2, s3.listParts(l -> l.bucket("family-multipart").key("big").uploadId(id)).parts().size());
        s3.completeMultipartUpload(c -> c.bucket("family-multipart").key("big").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())));
        byte[] whole = s3.getObjectAsBytes(g -> g.bucket("family-multipart").key("big")).asByteArray();
        assertEquals(one.length + two.length, whole.length);
        assertArrayEquals(two, java.util.Arrays.copyOfRange(whole, one.length, whole.length));
        assertEquals("NoSuchUpload", error(() -> s3.listParts(l -> l.bucket("family-multipart").key("big").uploadId(id)))
                .awsErrorDetails().errorCode());
    }

    @Test
    void versioning() {
        s3.createBucket(b -> b.bucket("family-versions"));
        s3.putBucketVersioning(v -> v.bucket("family-versions").versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
        String v1 = s3.putObject(p -> p.bucket("family-versions").key("k"), RequestBody.fromString("one")).versionId();
        String v2 = s3.putObject(p -> p.bucket("family-versions").key("k"), RequestBody.fromString("two")).versionId();
        assertTrue(v1 != null && !v1.equals(v2));
        assertEquals("one", s3.getObjectAsBytes(g -> g.bucket("family-versions").key("k").versionId(v1)).asUtf8String());
        s3.deleteObject(d -> d.bucket("family-versions").key("k"));
        var versions = s3.listObjectVersions(l -> l.bucket("family-versions"));
        assertEquals(2, versions.versions().size());
        assertEquals(1, versions.deleteMarkers().size());
        assertEquals("two", s3.getObjectAsBytes(g -> g.bucket("family-versions").key("k").versionId(v2)).asUtf8String());
    }

    @Test
    void tagging() {
        s3.createBucket(b -> b.bucket("family-tags"));
        s3.putObject(p -> p.bucket("family-tags").key("k").tagging("a=1"), RequestBody.fromString("x"));
        assertEquals(List.of(Tag.builder().key("a").value("1").build()),
                s3.getObjectTagging(g -> g.bucket("family-tags").key("k")).tagSet());
        s3.putObjectTagging(p -> p.bucket("family-tags").key("k").tagging(t -> t.tagSet(Tag.builder().key("b").value("2").build())));
        assertEquals("b", s3.getObjectTagging(g -> g.bucket("family-tags").key("k")).tagSet().get(0).key());
    }

    @Test
    void aclsOpenReadsToAnonymousOnlyWhenAsked() {
        s3.createBucket(b -> b.bucket("family-acl"));
        s3.putObject(p -> p.bucket("family-acl").key("private"), RequestBody.fromString("p"));
        s3.putObject(p -> p.bucket("family-acl").key("public").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("open"));
        try (S3Client anyone = harness.anonymous()) {
            assertEquals("open", anyone.getObjectAsBytes(g -> g.bucket("family-acl").key("public")).asUtf8String());
            assertEquals(403, error(() -> anyone.getObject(g -> g.bucket("family-acl").key("private"))).statusCode());
        }
    }

    @Test
    void aBucketPolicyOpensOnePrefixToAnonymousReadsAndDeniesDeletes() throws Exception {
        s3.createBucket(b -> b.bucket("family-policy"));
        s3.putObject(p -> p.bucket("family-policy").key("public/photo.jpg"), RequestBody.fromString("shared"));
        s3.putObject(p -> p.bucket("family-policy").key("private/diary.txt"), RequestBody.fromString("mine"));
        assertEquals("NoSuchBucketPolicy", error(() -> s3.getBucketPolicy(g -> g.bucket("family-policy")))
                .awsErrorDetails().errorCode());
        String policy = """
                {"Version": "2012-10-17", "Statement": [
                  {"Sid": "PublicPrefix", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::family-policy/public/*"},
                  {"Sid": "NoDeletes", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["s3:DeleteObject*"],
                   "Resource": "arn:aws:s3:::family-policy/*"}]}""";
        s3.putBucketPolicy(p -> p.bucket("family-policy").policy(policy));
        assertEquals(policy, s3.getBucketPolicy(g -> g.bucket("family-policy")).policy(), "given back as it was put");
        assertTrue(s3.getBucketPolicyStatus(g -> g.bucket("family-policy")).policyStatus().isPublic(),
                "an Allow to everyone without a condition is public, whatever it opens");
        try (S3Client anyone = harness.anonymous()) {
            assertEquals("shared", anyone.getObjectAsBytes(g -> g.bucket("family-policy").key("public/photo.jpg")).asUtf8String());
            assertEquals(403, error(() -> anyone.getObject(g -> g.bucket("family-policy").key("private/diary.txt"))).statusCode(),
                    "only the prefix the policy opens");
            assertEquals(403, error(() -> anyone.putObject(p -> p.bucket("family-policy").key("public/x"), RequestBody.fromString("x")))
                    .statusCode(), "reads only");
        }
        // A key is literal in S3 (and here): the one the policy judges is the one served. A dot-segment,
        // plain or encoded, names an object of that literal name, never another object.
        for (String path : List.of("/family-policy/public/../private/diary.txt", "/family-policy/public/%2e%2e/private/diary.txt",
                "/family-policy/public/..%2Fprivate%2Fdiary.txt", "/family-policy/public/./../private/diary.txt")) {
            String answer = rawGet(path);
            assertTrue(answer.startsWith("HTTP/1.1 404") && !answer.contains("mine"), path + " -> " + answer);
        }
        S3Exception denied = error(() -> s3.deleteObject(d -> d.bucket("family-policy").key("public/photo.jpg")));
        assertEquals("AccessDenied", denied.awsErrorDetails().errorCode(), "the Deny holds for the bucket's owner too");
        var multi = s3.deleteObjects(d -> d.bucket("family-policy").delete(x -> x.objects(
                o -> o.key("public/photo.jpg"), o -> o.key("private/diary.txt"))));
        assertEquals(2, multi.errors().size(), "each key of a multi-object delete is judged as its own delete");
        assertEquals("AccessDenied", multi.errors().get(0).code());
        assertEquals("mine", s3.getObjectAsBytes(g -> g.bucket("family-policy").key("private/diary.txt")).asUtf8String());
        s3.deleteBucketPolicy(d -> d.bucket("family-policy"));
        s3.deleteObject(d -> d.bucket("family-policy").key("public/photo.jpg"));
        try (S3Client anyone = harness.anonymous()) {
            assertEquals(403, error(() -> anyone.getObject(g -> g.bucket("family-policy").key("public/photo.jpg"))).statusCode(),
                    "closed again once the policy is deleted");
        }
    }

    @Test
    void aBucketPolicyGrantsAnotherKeyAndIsCheckedWhenPut() throws Exception {
        s3.createBucket(b -> b.bucket("family-grant"));
        s3.putObject(p -> p.bucket("family-grant").key("logs/today"), RequestBody.fromString("log"));
        try (S3Client reader = harness.clientOfANewKey("POLICYREADERKEY00001", "policy-reader-secret-000000000000000001")) {
            assertEquals(403, error(() -> reader.getObject(g -> g.bucket("family-grant").key("logs/today"))).statusCode(),
                    "a new key reaches no bucket");
            s3.putBucketPolicy(p -> p.bucket("family-grant").policy("""
                    {"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::POLICYREADERKEY00001:root"},
                     "Action": ["s3:GetObject", "s3:ListBucket"],
                     "Resource": ["arn:aws:s3:::family-grant", "arn:aws:s3:::family-grant/*"],
                     "Condition": {"StringLike": {"s3:prefix": ["logs/*"]}}}}"""));
            assertEquals(403, error(() -> reader.listObjectsV2(l -> l.bucket("family-grant"))).statusCode(),
                    "listing without the prefix the condition asks for");
            assertEquals(1, reader.listObjectsV2(l -> l.bucket("family-grant").prefix("logs/")).keyCount());
            assertEquals(403, error(() -> reader.getObject(g -> g.bucket("family-grant").key("logs/today"))).statusCode(),
                    "s3:prefix is absent from a GetObject: the statement's condition does not hold");
            assertEquals(403, error(() -> reader.putObject(p -> p.bucket("family-grant").key("logs/x"), RequestBody.fromString("x")))
                    .statusCode());
            s3.putBucketPolicy(p -> p.bucket("family-grant").policy("""
                    {"Statement": {"Effect": "Allow", "Principal": {"AWS": "POLICYREADERKEY00001"}, "Action": "s3:PutObject",
                     "Resource": "arn:aws:s3:::family-grant/inbox/*"}}"""));
            reader.putObject(p -> p.bucket("family-grant").key("inbox/note"), RequestBody.fromString("hi"));
            assertEquals("hi", s3.getObjectAsBytes(g -> g.bucket("family-grant").key("inbox/note")).asUtf8String());
            s3.createBucket(b -> b.bucket("family-grant-source"));
            s3.putObject(p -> p.bucket("family-grant-source").key("secret"), RequestBody.fromString("s"));
            assertEquals(403, error(() -> reader.copyObject(c -> c.sourceBucket("family-grant-source").sourceKey("secret")
                    .destinationBucket("family-grant").destinationKey("inbox/stolen"))).statusCode(),
                    "a policy opens its own bucket, not a copy's source");
        }
        s3.putBucketPolicy(p -> p.bucket("family-grant").policy("""
                {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}}"""));
        try (S3Client anyone = harness.anonymous()) {
            assertEquals("log", anyone.getObjectAsBytes(g -> g.bucket("family-grant").key("logs/today")).asUtf8String());
            assertEquals(403, error(() -> anyone.deleteBucketPolicy(d -> d.bucket("family-grant"))).statusCode(),
                    "nobody unsigned changes a bucket's configuration, whatever the policy says");
            assertEquals(403, error(() -> anyone.copyObject(c -> c.sourceBucket("family-grant-source").sourceKey("secret")
                    .destinationBucket("family-grant").destinationKey("stolen"))).statusCode(), "nor copies");
        }
        s3.deleteBucketPolicy(d -> d.bucket("family-grant"));
        for (String bad : List.of("not json", "{\"Statement\": []}",
                "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", "
                        + "\"Resource\": \"arn:aws:s3:::another-bucket/*\"}}",
                "{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", "
                        + "\"Resource\": \"arn:aws:s3:::family-grant/*\", \"Condition\": {\"StringSoundsLike\": {\"s3:prefix\": \"a\"}}}}")) {
            S3Exception e = error(() -> s3.putBucketPolicy(p -> p.bucket("family-grant").policy(bad)));
            assertEquals("MalformedPolicy", e.awsErrorDetails().errorCode(), bad);
        }
        s3.putBucketPolicy(p -> p.bucket("family-grant").policy("""
                {"Statement": {"Effect": "Allow", "Principal": {"AWS": "POLICYREADERKEY00001"}, "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::family-grant/*"}}"""));
        assertEquals(false, s3.getBucketPolicyStatus(g -> g.bucket("family-grant")).policyStatus().isPublic(),
                "a grant to one key is not public");
    }

    @Test
    void aDenyHoldsForVersionNullDeletesCopySourcesAndAclsSetByAnUpload() throws Exception {
        s3.createBucket(b -> b.bucket("family-review"));
        s3.putObject(p -> p.bucket("family-review").key("backup.tar"), RequestBody.fromString("b"));
        s3.putBucketPolicy(p -> p.bucket("family-review").policy("""
                {"Statement": [
                  {"Effect": "Deny", "Principal": "*", "Action": ["s3:DeleteObject", "s3:GetObject"], "Resource": "arn:aws:s3:::family-review/backup.tar"},
                  {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::family-review/drop/*"}]}"""));
        assertEquals(403, error(() -> s3.deleteObject(d -> d.bucket("family-review").key("backup.tar").versionId("null"))).statusCode(),
                "a Deny of s3:DeleteObject holds for the versionId=null form on an unversioned bucket");
        s3.createBucket(b -> b.bucket("family-review-copy"));
        assertEquals(403, error(() -> s3.copyObject(c -> c.sourceBucket("family-review").sourceKey("backup.tar")
                .destinationBucket("family-review-copy").destinationKey("copy"))).statusCode(),
                "the source bucket's Deny of reads holds for a copy");
        try (S3Client anyone = harness.anonymous()) {
            anyone.putObject(p -> p.bucket("family-review").key("drop/note"), RequestBody.fromString("n"));
            assertEquals(403, error(() -> anyone.putObject(p -> p.bucket("family-review").key("drop/public")
                    .acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("n"))).statusCode(),
                    "an upload that sets an ACL is also s3:PutObjectAcl, which the policy does not allow");
            assertEquals(403, error(() -> anyone.putBucketPolicy(p -> p.bucket("family-review").policy("{}"))).statusCode());
        }
        s3.deleteBucketPolicy(d -> d.bucket("family-review"));
    }

    @Test
    void aPublicAccessBlockRefusesAndIgnoresWhatWouldOpenTheBucket() {
        s3.createBucket(b -> b.bucket("family-block"));
        s3.putObject(p -> p.bucket("family-block").key("open").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("o"));
        s3.putBucketPolicy(p -> p.bucket("family-block").policy("""
                {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::family-block/p/*"}}"""));
        s3.putObject(p -> p.bucket("family-block").key("p/by-policy"), RequestBody.fromString("p"));
        try (S3Client anyone = harness.anonymous()) {
            assertEquals("o", anyone.getObjectAsBytes(g -> g.bucket("family-block").key("open")).asUtf8String());
            assertEquals("p", anyone.getObjectAsBytes(g -> g.bucket("family-block").key("p/by-policy")).asUtf8String());
            assertEquals("NoSuchPublicAccessBlockConfiguration",
                    error(() -> s3.getPublicAccessBlock(g -> g.bucket("family-block"))).awsErrorDetails().errorCode());
            s3.putPublicAccessBlock(p -> p.bucket("family-block").publicAccessBlockConfiguration(c -> c.blockPublicAcls(true)
                    .ignorePublicAcls(true).blockPublicPolicy(true).restrictPublicBuckets(true)));
            var got = s3.getPublicAccessBlock(g -> g.bucket("family-block")).publicAccessBlockConfiguration();
            assertTrue(got.blockPublicAcls() && got.ignorePublicAcls() && got.blockPublicPolicy() && got.restrictPublicBuckets());
            assertEquals(403, error(() -> anyone.getObject(g -> g.bucket("family-block").key("open"))).statusCode(),
                    "IgnorePublicAcls: the object's public-read grants nobody");
            assertEquals(403, error(() -> anyone.getObject(g -> g.bucket("family-block").key("p/by-policy"))).statusCode(),
                    "RestrictPublicBuckets: the public policy grants nobody");
            assertEquals(403, error(() -> s3.putObject(p -> p.bucket("family-block").key("new").acl(ObjectCannedACL.PUBLIC_READ),
                    RequestBody.fromString("n"))).statusCode(), "BlockPublicAcls");
            assertEquals(403, error(() -> s3.putObjectAcl(p -> p.bucket("family-block").key("open").acl(ObjectCannedACL.PUBLIC_READ)))
                    .statusCode());
            assertEquals(403, error(() -> s3.putBucketPolicy(p -> p.bucket("family-block").policy("""
                    {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::family-block/*"}}""")))
                    .statusCode(), "BlockPublicPolicy");
            s3.putObject(p -> p.bucket("family-block").key("private"), RequestBody.fromString("x"));
            s3.deletePublicAccessBlock(d -> d.bucket("family-block"));
            assertEquals("o", anyone.getObjectAsBytes(g -> g.bucket("family-block").key("open")).asUtf8String(), "open again");
        }
    }

    @Test
    void bucketOwnerEnforcedDisablesAcls() {
        s3.createBucket(b -> b.bucket("family-owned").objectOwnership(
                software.amazon.awssdk.services.s3.model.ObjectOwnership.BUCKET_OWNER_ENFORCED));
        assertEquals("BucketOwnerEnforced", s3.getBucketOwnershipControls(g -> g.bucket("family-owned")).ownershipControls()
                .rules().get(0).objectOwnershipAsString());
        S3Exception refused = error(() -> s3.putObject(p -> p.bucket("family-owned").key("k").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("k")));
        assertEquals("AccessControlListNotSupported", refused.awsErrorDetails().errorCode());
        s3.putObject(p -> p.bucket("family-owned").key("k").acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL), RequestBody.fromString("k"));
        s3.createBucket(b -> b.bucket("family-was-public").acl(software.amazon.awssdk.services.s3.model.BucketCannedACL.PUBLIC_READ));
        try (S3Client anyone = harness.anonymous()) {
            assertEquals(0, anyone.listObjectsV2(l -> l.bucket("family-was-public")).keyCount());
            s3.putBucketOwnershipControls(p -> p.bucket("family-was-public").ownershipControls(c -> c.rules(
                    rule -> rule.objectOwnership(software.amazon.awssdk.services.s3.model.ObjectOwnership.BUCKET_OWNER_ENFORCED))));
            assertEquals(403, error(() -> anyone.listObjectsV2(l -> l.bucket("family-was-public"))).statusCode(),
                    "the bucket's public-read ACL no longer grants");
        }
        s3.deleteBucketOwnershipControls(d -> d.bucket("family-owned"));
        assertEquals("OwnershipControlsNotFoundError", error(() -> s3.getBucketOwnershipControls(g -> g.bucket("family-owned")))
                .awsErrorDetails().errorCode());
    }

    @Test
    void lifecycleConfiguration() {
        s3.createBucket(b -> b.bucket("family-lifecycle"));
        s3.putBucketLifecycleConfiguration(p -> p.bucket("family-lifecycle").lifecycleConfiguration(c -> c.rules(r -> r
                .id("old-logs").status(ExpirationStatus.ENABLED).filter(f -> f.prefix("logs/")).expiration(e -> e.days(30)))));
        var rules = s3.getBucketLifecycleConfiguration(g -> g.bucket("family-lifecycle")).rules();
        assertEquals(1, rules.size());
        assertEquals(30, rules.get(0).expiration().days());
        // A write the rule takes says when it will expire (x-amz-expiration): 30 days after it was written.
        var put = s3.putObject(p -> p.bucket("family-lifecycle").key("logs/a"), RequestBody.fromString("x"));
        assertTrue(put.expiration() != null && put.expiration().contains("rule-id=\"old-logs\""), String.valueOf(put.expiration()));
        var head = s3.headObject(h -> h.bucket("family-lifecycle").key("logs/a"));
        assertEquals(put.expiration(), head.expiration());
        assertTrue(head.expiration().contains("expiry-date=\"" + Responses.httpDate(head.lastModified().plus(30, ChronoUnit.DAYS))
                .substring(0, 16)), head.expiration() + " is 30 days after " + head.lastModified());
        assertEquals(null, s3.putObject(p -> p.bucket("family-lifecycle").key("other/a"), RequestBody.fromString("x")).expiration());
        // Size filters (with And), and a date that is not midnight refused.
        s3.putBucketLifecycleConfiguration(p -> p.bucket("family-lifecycle").lifecycleConfiguration(c -> c.rules(r -> r
                .id("big").status(ExpirationStatus.ENABLED).filter(f -> f.and(a -> a.prefix("logs/").objectSizeGreaterThan(1000L)
                        .objectSizeLessThan(5000L))).expiration(e -> e.days(1)))));
        var sized = s3.getBucketLifecycleConfiguration(g -> g.bucket("family-lifecycle")).rules().get(0).filter().and();
        assertEquals(1000L, sized.objectSizeGreaterThan());
        assertEquals(5000L, sized.objectSizeLessThan());
        assertEquals(null, s3.putObject(p -> p.bucket("family-lifecycle").key("logs/small"), RequestBody.fromString("x")).expiration(),
                "too small for the rule");
        assertTrue(s3.putObject(p -> p.bucket("family-lifecycle").key("logs/mid"), RequestBody.fromBytes(new byte[2000]))
                .expiration().contains("rule-id=\"big\""));
        assertEquals("InvalidArgument", error(() -> s3.putBucketLifecycleConfiguration(p -> p.bucket("family-lifecycle")
                .lifecycleConfiguration(c -> c.rules(r -> r.id("noon").status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                        .expiration(e -> e.date(Instant.parse("2030-01-01T12:00:00Z")))))))
                .awsErrorDetails().errorCode());
        s3.deleteBucketLifecycle(d -> d.bucket("family-lifecycle"));
        assertEquals(404, error(() -> s3.getBucketLifecycleConfiguration(g -> g.bucket("family-lifecycle"))).statusCode());
    }

    @Test
    void objectLockKeepsALockedVersion() {
        s3.createBucket(b -> b.bucket("family-lock").objectLockEnabledForBucket(true));
        String v = s3.putObject(p -> p.bucket("family-lock").key("k").objectLockMode(ObjectLockMode.COMPLIANCE)
                .objectLockRetainUntilDate(Instant.now().plus(1, ChronoUnit.DAYS)), RequestBody.fromString("kept")).versionId();
        assertEquals(403, error(() -> s3.deleteObject(d -> d.bucket("family-lock").key("k").versionId(v))).statusCode());
        assertEquals("kept", s3.getObjectAsBytes(g -> g.bucket("family-lock").key("k").versionId(v)).asUtf8String());
        assertEquals(ObjectLockRetentionMode.COMPLIANCE,
                s3.getObjectRetention(g -> g.bucket("family-lock").key("k").versionId(v)).retention().mode());
        // The error codes S3 gives for a bad configuration: a period not positive, a mode it does not know.
        assertEquals("InvalidRetentionPeriod", error(() -> s3.putObjectLockConfiguration(p -> p.bucket("family-lock")
                .objectLockConfiguration(c -> c.objectLockEnabled("Enabled").rule(r -> r.defaultRetention(d -> d
                        .mode("GOVERNANCE").days(0)))))).awsErrorDetails().errorCode());
        assertEquals("MalformedXML", error(() -> s3.putObjectLockConfiguration(p -> p.bucket("family-lock")
                .objectLockConfiguration(c -> c.objectLockEnabled("Enabled").rule(r -> r.defaultRetention(d -> d
                        .mode("governance").days(1)))))).awsErrorDetails().errorCode());
        assertEquals("MalformedXML", error(() -> s3.putObjectRetention(p -> p.bucket("family-lock").key("k").versionId(v)
                .retention(x -> x.mode("compliance").retainUntilDate(Instant.now().plus(2, ChronoUnit.DAYS)))))
                .awsErrorDetails().errorCode());
    }

    @Test
    void badSignaturesAreRefused() {
        long before = harness.ledger.progress().appliedOffset(0);
        try (S3Client wrong = S3Client.builder().endpointOverride(harness.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(S3Harness.ACCESS_KEY, "not-the-secret")))
                .overrideConfiguration(o -> o.retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()))
                .build()) {
            assertEquals("SignatureDoesNotMatch", error(wrong::listBuckets).awsErrorDetails().errorCode());
            assertEquals(403, error(() -> wrong.createBucket(b -> b.bucket("never"))).statusCode());
        }
        // The refused request wrote nothing to the log.
        assertTrue(harness.ledger.views().bucket("never").isEmpty());
        assertEquals(before, harness.ledger.progress().appliedOffset(0));
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    private static java.net.http.HttpResponse<String> send(java.net.http.HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void corsAnswersPreflightsAndTagsResponsesOnlyForAllowedOrigins() throws Exception {
        s3.createBucket(b -> b.bucket("family-cors"));
        s3.putBucketCors(c -> c.bucket("family-cors").corsConfiguration(cfg -> cfg.corsRules(r -> r
                .allowedOrigins("https://photos.example").allowedMethods("GET", "PUT").allowedHeaders("*").maxAgeSeconds(600))));
        s3.putObject(p -> p.bucket("family-cors").key("a.txt"), RequestBody.fromString("hello"));
        java.net.URI object = java.net.URI.create(harness.endpoint() + "/family-cors/a.txt");
        var preflight = send(java.net.http.HttpRequest.newBuilder(object).method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://photos.example").header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "content-type"));
        assertEquals(200, preflight.statusCode(), preflight.body());
        assertEquals("https://photos.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("PUT"));
        var stranger = send(java.net.http.HttpRequest.newBuilder(object).method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://elsewhere.example").header("Access-Control-Request-Method", "PUT"));
        assertEquals(403, stranger.statusCode(), "an origin no rule allows");
        // An actual cross-origin request (presigned, as a browser page would send it) carries the headers.
        try (var presigner = presigner()) {
            java.net.URI url = presigner.presignGetObject(g -> g.signatureDuration(java.time.Duration.ofMinutes(5))
                    .getObjectRequest(o -> o.bucket("family-cors").key("a.txt"))).url().toURI();
            var got = send(java.net.http.HttpRequest.newBuilder(url).header("Origin", "https://photos.example"));
            assertEquals(200, got.statusCode(), got.body());
            assertEquals("https://photos.example", got.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        }
    }

    private static software.amazon.awssdk.services.s3.presigner.S3Presigner presigner() {
        return software.amazon.awssdk.services.s3.presigner.S3Presigner.builder().endpointOverride(harness.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(S3Harness.ACCESS_KEY, S3Harness.SECRET_KEY)))
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    @Test
    void presignedUrlsReadAndWriteAndRefuseTampering() throws Exception {
        s3.createBucket(b -> b.bucket("family-presigned"));
        try (var presigner = presigner()) {
            java.net.URI put = presigner.presignPutObject(p -> p.signatureDuration(java.time.Duration.ofMinutes(5))
                    .putObjectRequest(o -> o.bucket("family-presigned").key("shared.txt"))).url().toURI();
            var stored = send(java.net.http.HttpRequest.newBuilder(put).PUT(java.net.http.HttpRequest.BodyPublishers.ofString("via a link")));
            assertEquals(200, stored.statusCode(), stored.body());
            java.net.URI get = presigner.presignGetObject(g -> g.signatureDuration(java.time.Duration.ofMinutes(5))
                    .getObjectRequest(o -> o.bucket("family-presigned").key("shared.txt"))).url().toURI();
            var read = send(java.net.http.HttpRequest.newBuilder(get));
            assertEquals(200, read.statusCode(), read.body());
            assertEquals("via a link", read.body());
            // The same signature for another key is refused.
            var other = send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(get.toString().replace("shared.txt", "other.txt"))));
            assertEquals(403, other.statusCode(), other.body());
            assertTrue(other.body().contains("SignatureDoesNotMatch"), other.body());
        }
    }

    @Test
    void deleteObjectsDeletesEachKeyAndReportsEach() {
        s3.createBucket(b -> b.bucket("family-multidelete"));
        for (String k : List.of("a", "b", "c")) {
            s3.putObject(p -> p.bucket("family-multidelete").key(k), RequestBody.fromString(k));
        }
        var r = s3.deleteObjects(d -> d.bucket("family-multidelete").delete(x -> x.objects(
                o -> o.key("a"), o -> o.key("b"), o -> o.key("never-there"))));
        assertEquals(List.of("a", "b", "never-there"), r.deleted().stream().map(d -> d.key()).sorted().toList(),
                "a key that was not there is reported deleted, as S3 does");
        assertEquals(List.of(), r.errors());
        assertEquals(List.of("c"), s3.listObjectsV2(l -> l.bucket("family-multidelete")).contents().stream().map(o -> o.key()).toList());
    }

    @Test
    void getObjectAttributesTellsSizeETagAndParts() {
        s3.createBucket(b -> b.bucket("family-attributes"));
        String upload = s3.createMultipartUpload(c -> c.bucket("family-attributes").key("big")).uploadId();
        byte[] part1 = bytes(5 << 20, 11);
        byte[] part2 = bytes(1000, 12);
        String e1 = s3.uploadPart(u -> u.bucket("family-attributes").key("big").uploadId(upload).partNumber(1), RequestBody.fromBytes(part1)).eTag();
        String e2 = s3.uploadPart(u -> u.bucket("family-attributes").key("big").uploadId(upload).partNumber(2), RequestBody.fromBytes(part2)).eTag();
        String etag = s3.completeMultipartUpload(c -> c.bucket("family-attributes").key("big").uploadId(upload)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(e1).build(),
                        CompletedPart.builder().partNumber(2).eTag(e2).build()))).eTag();
        var a = s3.getObjectAttributes(g -> g.bucket("family-attributes").key("big").objectAttributes(
                software.amazon.awssdk.services.s3.model.ObjectAttributes.OBJECT_SIZE,
                software.amazon.awssdk.services.s3.model.ObjectAttributes.E_TAG,
                software.amazon.awssdk.services.s3.model.ObjectAttributes.OBJECT_PARTS));
        assertEquals((long) part1.length + part2.length, a.objectSize());
        assertEquals(etag.replace("\"", ""), a.eTag().replace("\"", ""));
        assertEquals(2, a.objectParts().totalPartsCount());
    }

    /** A browser form upload (POST Object) with a policy signed as AWS documents it. */
    @Test
    void aSignedFormUploadStoresTheFile() throws Exception {
        s3.createBucket(b -> b.bucket("family-post"));
        Instant now = Instant.now();
        String date = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd").withZone(java.time.ZoneOffset.UTC).format(now);
        String amzDate = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC).format(now);
        String credential = S3Harness.ACCESS_KEY + "/" + date + "/us-east-1/s3/aws4_request";
        String policy = "{\"expiration\":\"" + now.plusSeconds(600) + "\",\"conditions\":[{\"bucket\":\"family-post\"},"
                + "[\"starts-with\",\"$key\",\"up/\"],{\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\"},"
                + "{\"x-amz-credential\":\"" + credential + "\"},{\"x-amz-date\":\"" + amzDate + "\"}]}";
        String policy64 = java.util.Base64.getEncoder().encodeToString(policy.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + S3Harness.SECRET_KEY).getBytes(java.nio.charset.StandardCharsets.UTF_8), date);
        key = hmac(hmac(hmac(key, "us-east-1"), "s3"), "aws4_request");
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("key", "up/${filename}");
        fields.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
        fields.put("x-amz-credential", credential);
        fields.put("x-amz-date", amzDate);
        fields.put("policy", policy64);
        fields.put("x-amz-signature", java.util.HexFormat.of().formatHex(hmac(key, policy64)));
        var r = postForm("/family-post", fields);
        assertEquals(204, r.statusCode(), r.body());
        assertEquals("from a form", s3.getObjectAsBytes(g -> g.bucket("family-post").key("up/n.txt")).asUtf8String());
        // The same form for a key outside the policy's prefix is refused, and nothing is stored.
        fields.put("key", "elsewhere/n.txt");
        var refused = postForm("/family-post", fields);
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals(0, s3.listObjectsV2(l -> l.bucket("family-post").prefix("elsewhere/")).keyCount());
    }

    /** A multipart form upload of {@code fields} and a small file "n.txt". */
    private static java.net.http.HttpResponse<String> postForm(String path, java.util.Map<String, String> fields) throws Exception {
        String boundary = "----FormBoundaryHarness";
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        fields.forEach((name, value) -> body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
                + "\"\r\n\r\n" + value + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"n.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nfrom a form\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(harness.endpoint() + path))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
