package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/** Versioning through the AWS SDK: overwrite, delete markers, restore, reads by version id, listing, suspend. */
class VersioningIT {
    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    private static S3Client s3() {
        return NODE.s3();
    }

    private static String get(String bucket, String key, String versionId) {
        return s3().getObjectAsBytes(g -> g.bucket(bucket).key(key).versionId(versionId)).asUtf8String();
    }

    private static void enable(String bucket, BucketVersioningStatus status) {
        s3().putBucketVersioning(p -> p.bucket(bucket).versioningConfiguration(v -> v.status(status)));
    }

    @Test
    void overwriteDeleteAndRestoreKeepEveryVersion() {
        s3().createBucket(b -> b.bucket("versioned"));
        s3().putObject(p -> p.bucket("versioned").key("doc"), RequestBody.fromString("before versioning"));
        assertNull(s3().getBucketVersioning(g -> g.bucket("versioned")).status(), "never enabled: no status");
        enable("versioned", BucketVersioningStatus.ENABLED);
        assertEquals(BucketVersioningStatus.ENABLED, s3().getBucketVersioning(g -> g.bucket("versioned")).status());

        PutObjectResponse v1 = s3().putObject(p -> p.bucket("versioned").key("doc"), RequestBody.fromString("one"));
        PutObjectResponse v2 = s3().putObject(p -> p.bucket("versioned").key("doc"), RequestBody.fromString("two"));
        assertNotEquals(v1.versionId(), v2.versionId());
        assertEquals("two", get("versioned", "doc", null));
        assertEquals("one", get("versioned", "doc", v1.versionId()));
        assertEquals("before versioning", get("versioned", "doc", "null"), "the object from before is the null version");
        assertEquals(v2.versionId(), s3().headObject(h -> h.bucket("versioned").key("doc")).versionId());

        DeleteObjectResponse marker = s3().deleteObject(d -> d.bucket("versioned").key("doc"));
        assertTrue(marker.deleteMarker());
        var e = assertS3Error(404, "NoSuchKey", () -> s3().getObjectAsBytes(g -> g.bucket("versioned").key("doc")));
        assertEquals("true", e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-delete-marker").orElse(null));
        assertS3Error(405, "MethodNotAllowed", () -> s3().getObjectAsBytes(g -> g.bucket("versioned").key("doc")
                .versionId(marker.versionId())));
        assertEquals("one", get("versioned", "doc", v1.versionId()), "old versions survive the delete");
        assertTrue(s3().listObjectsV2(l -> l.bucket("versioned")).contents().isEmpty(), "a deleted key is not listed");

        ListObjectVersionsResponse all = s3().listObjectVersions(l -> l.bucket("versioned"));
        assertEquals(List.of(v2.versionId(), v1.versionId(), "null"), all.versions().stream().map(ObjectVersion::versionId).toList());
        assertEquals(1, all.deleteMarkers().size());
        assertTrue(all.deleteMarkers().get(0).isLatest());
        assertFalse(all.versions().get(0).isLatest());

        // Restore: remove the delete marker, the newest version is current again.
        s3().deleteObject(d -> d.bucket("versioned").key("doc").versionId(marker.versionId()));
        assertEquals("two", get("versioned", "doc", null));
        // Remove the current version for good: the one before becomes current.
        s3().deleteObject(d -> d.bucket("versioned").key("doc").versionId(v2.versionId()));
        assertEquals("one", get("versioned", "doc", null));
        assertS3Error(404, "NoSuchVersion", () -> s3().getObjectAsBytes(g -> g.bucket("versioned").key("doc")
                .versionId(v2.versionId())));
        assertS3Error(400, "InvalidArgument", () -> s3().getObjectAsBytes(g -> g.bucket("versioned").key("doc")
                .versionId("not-a-version")));

        // Copy from an old version; a bucket with versions left cannot be deleted.
        s3().copyObject(c -> c.sourceBucket("versioned").sourceKey("doc").sourceVersionId("null")
                .destinationBucket("versioned").destinationKey("restored"));
        assertEquals("before versioning", get("versioned", "restored", null));
        assertS3Error(409, "BucketNotEmpty", () -> s3().deleteBucket(d -> d.bucket("versioned")));
    }

    @Test
    void listingPagesThroughVersionsAndPrefixes() {
        s3().createBucket(b -> b.bucket("paged"));
        enable("paged", BucketVersioningStatus.ENABLED);
        for (String key : List.of("a", "b", "dir/x", "dir/y")) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                s3().putObject(p -> p.bucket("paged").key(key), RequestBody.fromString(key + n));
            }
        }
        List<String> seen = new ArrayList<>();
        String keyMarker = null;
        String versionMarker = null;
        for (int pages = 0; pages < 20; pages++) {
            String km = keyMarker;
            String vm = versionMarker;
            ListObjectVersionsResponse page = s3().listObjectVersions(l -> l.bucket("paged").maxKeys(2).keyMarker(km)
                    .versionIdMarker(vm));
            page.versions().forEach(v -> seen.add(v.key() + (v.isLatest() ? "*" : "")));
            if (!page.isTruncated()) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        }
        assertEquals(List.of("a*", "a", "a", "b*", "b", "b", "dir/x*", "dir/x", "dir/x", "dir/y*", "dir/y", "dir/y"), seen);

        ListObjectVersionsResponse folded = s3().listObjectVersions(l -> l.bucket("paged").delimiter("/"));
        assertEquals(List.of("dir/"), folded.commonPrefixes().stream().map(p -> p.prefix()).toList());
        assertEquals(6, folded.versions().size());
    }

    @Test
    void suspendedVersioningOverwritesTheNullVersion() {
        s3().createBucket(b -> b.bucket("suspended"));
        enable("suspended", BucketVersioningStatus.ENABLED);
        PutObjectResponse kept = s3().putObject(p -> p.bucket("suspended").key("k"), RequestBody.fromString("kept"));
        enable("suspended", BucketVersioningStatus.SUSPENDED);
        PutObjectResponse n1 = s3().putObject(p -> p.bucket("suspended").key("k"), RequestBody.fromString("null one"));
        assertEquals("null", n1.versionId());
        s3().putObject(p -> p.bucket("suspended").key("k"), RequestBody.fromString("null two"));
        assertEquals(List.of("null", kept.versionId()), s3().listObjectVersions(l -> l.bucket("suspended")).versions().stream()
                .map(ObjectVersion::versionId).toList(), "a put while suspended replaces the null version");
        assertEquals("kept", get("suspended", "k", kept.versionId()));

        // DeleteObjects with version ids removes versions for good; without, it adds a marker.
        var result = s3().deleteObjects(d -> d.bucket("suspended").delete(x -> x.objects(
                ObjectIdentifier.builder().key("k").versionId(kept.versionId()).build(),
                ObjectIdentifier.builder().key("k").versionId("null").build())));
        assertEquals(2, result.deleted().size());
        assertTrue(s3().listObjectVersions(l -> l.bucket("suspended")).versions().isEmpty());
        s3().deleteBucket(d -> d.bucket("suspended"));
    }

    @Test
    void anUnversionedBucketListsItsObjectsAsNullVersions() {
        s3().createBucket(b -> b.bucket("plain"));
        s3().putObject(p -> p.bucket("plain").key("k"), RequestBody.fromString("x"));
        ListObjectVersionsResponse l = s3().listObjectVersions(b -> b.bucket("plain"));
        assertEquals(1, l.versions().size());
        assertEquals("null", l.versions().get(0).versionId());
        assertTrue(l.versions().get(0).isLatest());
        assertEquals("x", get("plain", "k", "null"));
        assertS3Error(404, "NoSuchVersion", () -> s3().getObjectAsBytes(g -> g.bucket("plain").key("k")
                .versionId("0000000000000001")));
        assertNull(s3().putObject(p -> p.bucket("plain").key("k"), RequestBody.fromString("y")).versionId(),
                "no version id from an unversioned bucket");
    }
}
