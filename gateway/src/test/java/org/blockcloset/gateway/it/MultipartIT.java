package org.blockcloset.gateway.it;

import static org.blockcloset.gateway.it.S3Asserts.assertS3Error;
import static org.blockcloset.gateway.it.S3Asserts.digest;
import static org.blockcloset.gateway.it.S3Asserts.md5Hex;
import static org.blockcloset.gateway.it.S3Asserts.quoted;
import static org.blockcloset.gateway.it.S3Asserts.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** Multipart uploads: complete, ETags, composite checksums, part reads, list, abort, errors, UploadPartCopy. */
class MultipartIT {
    private static final String BUCKET = "multipart";
    private static final int MIB = 1024 * 1024;

    @RegisterExtension
    static final NodeExtension NODE = new NodeExtension();

    @BeforeAll
    static void start() throws Exception {
        NODE.s3().createBucket(b -> b.bucket(BUCKET));
    }

    private static List<byte[]> parts(long seed, int... sizes) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(randomBytes(sizes[i], seed + i));
        }
        return out;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static String multipartEtag(List<byte[]> parts) {
        ByteArrayOutputStream md5s = new ByteArrayOutputStream();
        parts.forEach(p -> md5s.writeBytes(digest("MD5", p)));
        return quoted(md5Hex(md5s.toByteArray()) + "-" + parts.size());
    }

    private static byte[] crc32(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return ByteBuffer.allocate(4).putInt((int) c.getValue()).array();
    }

    private static List<CompletedPart> upload(String key, String uploadId, List<byte[]> data, ChecksumAlgorithm algo) {
        List<CompletedPart> done = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            int n = i + 1;
            UploadPartResponse r = NODE.s3().uploadPart(u -> u.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(n)
                    .checksumAlgorithm(algo), RequestBody.fromBytes(data.get(i)));
            assertEquals(quoted(md5Hex(data.get(i))), r.eTag());
            done.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).checksumCRC32(r.checksumCRC32()).build());
        }
        return done;
    }

    @Test
    void aPartSentTwiceCompletesWithTheUploadThatCameLast() {
        String key = "resent";
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key)).uploadId();
        // Two uploads of part 1; the one that reached the log last is the part (s3-tests' "first finishes last").
        String first = NODE.s3().uploadPart(u -> u.bucket(BUCKET).key(key).uploadId(id).partNumber(1),
                RequestBody.fromString("BBBBBBBB")).eTag();
        String last = NODE.s3().uploadPart(u -> u.bucket(BUCKET).key(key).uploadId(id).partNumber(1),
                RequestBody.fromString("AAAAAAAA")).eTag();
        S3Asserts.assertS3Error(400, "InvalidPart", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(last), p -> p.partNumber(1).eTag(first)))));
        // A client that kept both answers, in the order its requests finished: the later entry stands.
        NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(first), p -> p.partNumber(1).eTag(last))));
        assertEquals("AAAAAAAA", NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asUtf8String());
    }

    @Test
    void threePartsMakeOneObject() {
        String key = "big/three-parts.bin";
        List<byte[]> data = parts(1, 5 * MIB, 5 * MIB, MIB + MIB / 2 + 7);
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key).contentType("video/mp4")).uploadId();
        List<CompletedPart> done = upload(key, id, data, null);
        var complete = NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(done)));
        String etag = multipartEtag(data);
        assertTrue(etag.matches("\"[0-9a-f]{32}-3\""), etag);
        assertEquals(etag, complete.eTag());

        ResponseBytes<GetObjectResponse> get = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key));
        assertArrayEquals(concat(data), get.asByteArray());
        assertEquals(etag, get.response().eTag());
        assertEquals("video/mp4", get.response().contentType());

        // partNumber reads one part, as S3 does.
        ResponseBytes<GetObjectResponse> part2 = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key).partNumber(2));
        assertEquals(206, part2.response().sdkHttpResponse().statusCode());
        assertArrayEquals(data.get(1), part2.asByteArray());
        assertEquals(3, part2.response().partsCount());
        assertEquals("bytes " + 5 * MIB + "-" + (10 * MIB - 1) + "/" + concat(data).length, part2.response().contentRange());
        assertEquals((long) data.get(2).length, NODE.s3().headObject(h -> h.bucket(BUCKET).key(key).partNumber(3)).contentLength());
        assertS3Error(416, "InvalidPartNumber", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key(key).partNumber(4)));

        assertFalse(NODE.s3().listMultipartUploads(l -> l.bucket(BUCKET)).uploads().stream()
                .anyMatch(u -> u.uploadId().equals(id)), "a completed upload is no longer listed");
    }

    @Test
    void compositeCrc32Checksum() {
        String key = "big/crc32.bin";
        List<byte[]> data = parts(10, 5 * MIB, 5 * MIB, 12345);
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32))
                .uploadId();
        List<CompletedPart> done = upload(key, id, data, ChecksumAlgorithm.CRC32);
        for (int i = 0; i < data.size(); i++) {
            assertEquals(Base64.getEncoder().encodeToString(crc32(data.get(i))), done.get(i).checksumCRC32());
        }
        ByteArrayOutputStream partCrcs = new ByteArrayOutputStream();
        data.forEach(p -> partCrcs.writeBytes(crc32(p)));
        String composite = Base64.getEncoder().encodeToString(crc32(partCrcs.toByteArray())) + "-3";

        var complete = NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(done)));
        assertEquals(composite, complete.checksumCRC32());
        ResponseBytes<GetObjectResponse> get = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)
                .checksumMode(ChecksumMode.ENABLED));
        assertEquals(composite, get.response().checksumCRC32());
        assertArrayEquals(concat(data), get.asByteArray());
    }

    @Test
    void aCompleteWhoseChecksumsDoNotMatchThePartsIsRefused() {
        String key = "big/sha256.bin";
        List<byte[]> data = parts(11, 5 * MIB, 777);
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256))
                .uploadId();
        List<CompletedPart> done = upload(key, id, data, ChecksumAlgorithm.SHA256);
        String otherDigest = Base64.getEncoder().encodeToString(new byte[32]);
        S3Asserts.assertS3Error(400, "BadDigest", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .checksumSHA256(otherDigest + "-2").multipartUpload(m -> m.parts(done))));
        List<CompletedPart> wrongPart = List.of(done.get(0), done.get(1).toBuilder().checksumSHA256(otherDigest).build());
        S3Asserts.assertS3Error(400, "InvalidPart", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(wrongPart))));
        var complete = NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id).multipartUpload(m -> m.parts(done)));
        assertArrayEquals(concat(data), NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asByteArray());
        assertTrue(complete.checksumSHA256().endsWith("-2"), complete.checksumSHA256());

        var attributes = NODE.s3().getObjectAttributes(g -> g.bucket(BUCKET).key(key).objectAttributes(
                software.amazon.awssdk.services.s3.model.ObjectAttributes.E_TAG, software.amazon.awssdk.services.s3.model.ObjectAttributes.OBJECT_SIZE,
                software.amazon.awssdk.services.s3.model.ObjectAttributes.OBJECT_PARTS,
                software.amazon.awssdk.services.s3.model.ObjectAttributes.STORAGE_CLASS,
                software.amazon.awssdk.services.s3.model.ObjectAttributes.CHECKSUM));
        assertEquals(complete.eTag().replace("\"", ""), attributes.eTag());
        assertEquals(5L * MIB + 777, attributes.objectSize());
        assertEquals(2, attributes.objectParts().totalPartsCount());
        assertEquals(List.of(5L * MIB, 777L), attributes.objectParts().parts().stream()
                .map(software.amazon.awssdk.services.s3.model.ObjectPart::size).toList());
        assertEquals(complete.checksumSHA256(), attributes.checksum().checksumSHA256());
        assertEquals("STANDARD", attributes.storageClassAsString());
    }

    @Test
    void listPartsListUploadsAndAbort() {
        String key = "pending/upload";
        List<byte[]> data = parts(20, 5 * MIB, 100);
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key)).uploadId();
        upload(key, id, data, null);

        ListPartsResponse lp = NODE.s3().listParts(l -> l.bucket(BUCKET).key(key).uploadId(id));
        assertEquals(List.of(1, 2), lp.parts().stream().map(Part::partNumber).toList());
        assertEquals(List.of((long) 5 * MIB, 100L), lp.parts().stream().map(Part::size).toList());
        assertEquals(quoted(md5Hex(data.get(1))), lp.parts().get(1).eTag());
        ListPartsResponse page = NODE.s3().listParts(l -> l.bucket(BUCKET).key(key).uploadId(id).maxParts(1));
        assertTrue(page.isTruncated());
        assertEquals(List.of(1), page.parts().stream().map(Part::partNumber).toList());
        assertEquals(List.of(2), NODE.s3().listParts(l -> l.bucket(BUCKET).key(key).uploadId(id)
                .partNumberMarker(page.nextPartNumberMarker())).parts().stream().map(Part::partNumber).toList());

        List<MultipartUpload> uploads = NODE.s3().listMultipartUploads(l -> l.bucket(BUCKET).prefix("pending/")).uploads();
        assertTrue(uploads.stream().anyMatch(u -> u.uploadId().equals(id) && u.key().equals(key)), uploads::toString);

        NODE.s3().abortMultipartUpload(a -> a.bucket(BUCKET).key(key).uploadId(id));
        assertFalse(NODE.s3().listMultipartUploads(l -> l.bucket(BUCKET)).uploads().stream().anyMatch(u -> u.uploadId().equals(id)));
        assertS3Error(404, "NoSuchUpload", () -> NODE.s3().listParts(l -> l.bucket(BUCKET).key(key).uploadId(id)));
        assertS3Error(404, "NoSuchUpload", () -> NODE.s3().uploadPart(u -> u.bucket(BUCKET).key(key).uploadId(id).partNumber(3),
                RequestBody.fromString("late")));
        assertS3Error(404, "NoSuchUpload", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag("\"x\"").build()))));
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key(key)));
    }

    @Test
    void completeErrors() {
        String key = "errors/small";
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key)).uploadId();
        List<CompletedPart> done = upload(key, id, parts(30, 10, 20), null);

        assertS3Error(400, "InvalidPart", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1)
                        .eTag(quoted("0".repeat(32))).build()))));
        assertS3Error(400, "InvalidPart", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(done.get(0), CompletedPart.builder().partNumber(7)
                        .eTag(done.get(1).eTag()).build()))));
        assertS3Error(400, "InvalidPartOrder", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(done.get(1), done.get(0)))));
        assertS3Error(400, "EntityTooSmall", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(done))));
        assertS3Error(404, "NoSuchKey", () -> NODE.s3().getObject(g -> g.bucket(BUCKET).key(key)));

        // The upload survives failed completions: a single small part is a valid (last) part.
        NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id).multipartUpload(m -> m.parts(done.get(1))));
        assertArrayEquals(randomBytes(20, 31), NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asByteArray());
    }

    @Test
    void uploadPartCopyWithRanges() {
        byte[] source = randomBytes(6 * MIB + 999, 40);
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("copy/source"), RequestBody.fromBytes(source));
        String key = "copy/assembled";
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key)).uploadId();
        var p1 = NODE.s3().uploadPartCopy(u -> u.sourceBucket(BUCKET).sourceKey("copy/source").destinationBucket(BUCKET)
                .destinationKey(key).uploadId(id).partNumber(1).copySourceRange("bytes=0-" + (5 * MIB - 1)));
        var p2 = NODE.s3().uploadPartCopy(u -> u.sourceBucket(BUCKET).sourceKey("copy/source").destinationBucket(BUCKET)
                .destinationKey(key).uploadId(id).partNumber(2).copySourceRange("bytes=" + (MIB - 10) + "-" + (MIB + 9)));
        byte[] part1 = Arrays.copyOfRange(source, 0, 5 * MIB);
        byte[] part2 = Arrays.copyOfRange(source, MIB - 10, MIB + 10);
        assertEquals(quoted(md5Hex(part1)), p1.copyPartResult().eTag());
        assertEquals(quoted(md5Hex(part2)), p2.copyPartResult().eTag());
        NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(p1.copyPartResult().eTag()).build(),
                CompletedPart.builder().partNumber(2).eTag(p2.copyPartResult().eTag()).build())));
        byte[] got = NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asByteArray();
        assertEquals(HexFormat.of().formatHex(digest("SHA-256", concat(List.of(part1, part2)))),
                HexFormat.of().formatHex(digest("SHA-256", got)));
        assertEquals(multipartEtag(List.of(part1, part2)), NODE.s3().headObject(h -> h.bucket(BUCKET).key(key)).eTag());
    }

    @Test
    void uploadPartCopyIntoAChecksummedUploadAndStrictRanges() {
        byte[] source = randomBytes(5 * MIB + 77, 41);
        NODE.s3().putObject(p -> p.bucket(BUCKET).key("copy/crc-source"), RequestBody.fromBytes(source));
        String key = "copy/crc-assembled";
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key)
                .checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32)).uploadId();
        assertS3Error(400, "InvalidArgument", () -> NODE.s3().uploadPartCopy(u -> u.sourceBucket(BUCKET)
                .sourceKey("copy/crc-source").destinationBucket(BUCKET).destinationKey(key).uploadId(id).partNumber(1)
                .copySourceRange("bytes=5-")));
        var p1 = NODE.s3().uploadPartCopy(u -> u.sourceBucket(BUCKET).sourceKey("copy/crc-source").destinationBucket(BUCKET)
                .destinationKey(key).uploadId(id).partNumber(1));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(source);
        String expected = java.util.Base64.getEncoder().encodeToString(
                java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        assertEquals(expected, p1.copyPartResult().checksumCRC32(), "a copied part carries the upload's checksum");
        // Completing needs every part's checksum: it would fail had the copied part none.
        NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(p1.copyPartResult().eTag())
                        .checksumCRC32(p1.copyPartResult().checksumCRC32()).build())));
        assertArrayEquals(source, NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asByteArray());
    }

    @Test
    void aRetriedCompleteOfAnAppliedUploadSucceedsAgain() {
        String key = "retried/complete";
        byte[] body = randomBytes(1000, 43);
        String id = NODE.s3().createMultipartUpload(c -> c.bucket(BUCKET).key(key)).uploadId();
        String etag = NODE.s3().uploadPart(u -> u.bucket(BUCKET).key(key).uploadId(id).partNumber(1),
                RequestBody.fromBytes(body)).eTag();
        var parts = CompletedPart.builder().partNumber(1).eTag(etag).build();
        String first = NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(parts))).eTag();
        String again = NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(parts))).eTag();
        assertEquals(first, again);
        assertArrayEquals(body, NODE.s3().getObjectAsBytes(g -> g.bucket(BUCKET).key(key)).asByteArray());
        assertS3Error(404, "NoSuchUpload", () -> NODE.s3().completeMultipartUpload(c -> c.bucket(BUCKET).key(key)
                .uploadId("not-an-upload").multipartUpload(m -> m.parts(parts))));
    }
}
